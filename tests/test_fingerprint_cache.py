"""The extraction version is cached under a key of cheap stats; any change to its inputs recomputes it."""

from __future__ import annotations

import json
import os

from pipeline.output import fingerprint


def test_cached_version_is_used_while_its_inputs_hold_and_recomputed_after(tmp_path, monkeypatch):
    monkeypatch.setattr(fingerprint, "CACHE_FILE", tmp_path / "cache" / "v.json")
    fingerprint.extraction_version.cache_clear()
    try:
        computed = fingerprint.extraction_version()
        assert computed == fingerprint._compute_extraction_version()
        cached = json.loads(fingerprint.CACHE_FILE.read_text())
        assert cached == {"key": fingerprint._inputs_key(), "version": computed}

        # While the key holds, the file is what answers (a planted value comes back)...
        fingerprint.CACHE_FILE.write_text(json.dumps({**cached, "version": "planted"}))
        fingerprint.extraction_version.cache_clear()
        assert fingerprint.extraction_version() == "planted"
        # ... and a changed input (here: a data file of a rules folder) recomputes it.
        rules = tmp_path / "rules"
        rules.mkdir()
        (rules / "words.txt").write_text("alpha\n")
        monkeypatch.setattr(fingerprint, "DATA_DIRS", (*fingerprint.DATA_DIRS, rules))
        key = fingerprint._inputs_key()
        assert key != cached["key"]
        (rules / "words.txt").write_text("alpha\nbeta\n")
        os.utime(rules / "words.txt", ns=(1, 1))
        assert fingerprint._inputs_key() != key
        fingerprint.extraction_version.cache_clear()
        assert fingerprint.extraction_version() == fingerprint._compute_extraction_version() != "planted"
    finally:
        fingerprint.extraction_version.cache_clear()
