"""The mapped language identifier answers as py3langid's own loader does, and falls back to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import languages

ROOT = Path(__file__).resolve().parents[1]

TEXTS = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Le gouvernement a annoncé mardi une nouvelle loi sur les retraites.",
    "Der Bundestag hat am Dienstag ein neues Gesetz beschlossen.",
    "El presidente anunció el lunes un plan de inversiones en Madrid.",
    "東京都は火曜日に新しい計画を発表した。",
    "Москва объявила о новых мерах во вторник.",
    "x",
    "",
    "1234 5678 !!!",
    "THE MARKETS CLOSED HIGHER ON FRIDAY AFTER A WEEK OF LOSSES",
]


@pytest.fixture(scope="module")
def library():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _sample_texts() -> list[str]:
    return TEXTS + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "raw").glob("*.txt"))]


def test_mapped_answers_equal_the_library(tmp_path, monkeypatch, library):
    monkeypatch.setattr(languages, "CACHE_DIR", tmp_path)
    first = languages.load_identifier()  # writes the copy
    copies = list(tmp_path.glob("langid-*/classes.json"))
    assert len(copies) == 1
    mapped = languages.load_identifier()  # maps it
    assert isinstance(mapped.tk_nextmove, memoryview)
    for text in _sample_texts():
        assert mapped.classify(text) == library.classify(text) == first.classify(text), text[:40]
    assert [mapped.classify(t)[0] for t in TEXTS[:6]] == ["en", "fr", "de", "es", "ja", "ru"]


def test_an_unwritable_environment_uses_the_library_loader(tmp_path, monkeypatch, library):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(languages, "CACHE_DIR", blocked)
    identifier = languages.load_identifier()
    assert not isinstance(identifier.tk_nextmove, memoryview)
    assert [identifier.classify(t) for t in TEXTS] == [library.classify(t) for t in TEXTS]


def test_a_damaged_copy_is_not_used(tmp_path, monkeypatch, library):
    monkeypatch.setattr(languages, "CACHE_DIR", tmp_path)
    languages.load_identifier()
    folder = next(tmp_path.glob("langid-*"))
    (folder / "ptc.npy").write_bytes(b"\x93NUMPY broken")
    identifier = languages.load_identifier()
    assert not isinstance(identifier.tk_nextmove, memoryview)
    assert identifier.classify(TEXTS[1]) == library.classify(TEXTS[1])
    assert json.loads((folder / "classes.json").read_text())  # the copy's other files are left as they were
