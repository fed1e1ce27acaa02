"""Hostile sources through the real flow: nothing crashes the run, nothing is lost silently, nothing
outside the input folder is read, nothing blocks.

One folder holds a case of every kind next to good articles; every bad one must be exactly one
clear error row (jsonl lines with their line number), and every good one a document.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

pytestmark = pytest.mark.timeout(600)  # a source that blocks (a pipe opened for reading) fails, never hangs

ARTICLE = (
    "The city council of {city} approved a budget of $120 million on Monday for a new tram line, "
    "the mayor, {person}, told reporters. Construction is due to start in May and the line should "
    "open to passengers two years later, according to the transport department.\n"
)
OUTSIDE = ARTICLE.format(city="Outsideville", person="Olga Outsider")  # must never be read by default


def article(city: str, person: str = "Alice Carter") -> str:
    return ARTICLE.format(city=city, person=person)


def jsonl_lines() -> list[str]:
    """Line by line: what each one holds (the numbers are the line numbers the rows must give)."""
    good = lambda i, **extra: json.dumps({"id": f"wire-{i}", "text": article(f"Leeds{i}"), **extra})  # noqa: E731
    return [
        good(1),                                                                   # 1 kept
        '{"id": "wire-2", "title": "Tram \\udc80 plan", "text": %s}' % json.dumps(article("Bristol")),  # 2 title repaired
        '{"id": "wire-\\udc803", "text": %s}' % json.dumps(article("Glasgow")),     # 3 id rejected
        '{"id": "wire-4", "text": %s}' % json.dumps(article("Cardiff")).replace("council", "coun\\udc80cil", 1),  # 4 text repaired
        json.dumps({"id": True, "text": article("Belfast")}),                     # 5 rejected
        json.dumps({"id": 123, "text": article("Norwich")}),                      # 6 rejected
        json.dumps({"id": "123", "text": article("York")}),                       # 7 kept: a string id
        json.dumps({"id": "wire-8", "title": 2024, "text": article("Bath")}),     # 8 kept, title ignored
        json.dumps({"id": "wire-9", "language": 5, "text": article("Derby")}),    # 9 kept, language ignored
        good(10),                                                                  # 10 kept
    ]


@pytest.fixture(scope="module")
def hostile(prefect_server, tmp_path_factory):
    from pipeline.flows import extract_corpus

    base = tmp_path_factory.mktemp("hostile")
    raw, outside = base / "raw", base / "outside"
    raw.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(OUTSIDE, encoding="utf-8")
    (raw / "good.txt").write_text(article("Leicester"), encoding="utf-8")
    (raw / "wire.jsonl").write_text("\n".join(jsonl_lines()) + "\n", encoding="utf-8")
    (raw / "sidecar.txt").write_text(article("Oxford"), encoding="utf-8")
    (raw / "sidecar.meta.json").write_text('{"title": "Oxford \\udc80 trams", "source": ["a", "list"]}', encoding="utf-8")
    (raw / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "secret.txt").symlink_to(outside / "secret.txt")
    (raw / "linked.txt").symlink_to("good-twin.txt")  # inside raw/: read
    (raw / "good-twin.txt").write_text(article("Exeter"), encoding="utf-8")
    (raw / "outside-dir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(raw / "fifo.txt")
    (raw / "dir.txt").mkdir()
    (raw / "dir.txt" / "nested.txt").write_text(article("Nottingham"), encoding="utf-8")
    (raw / "loop-a.txt").symlink_to("loop-b.txt")
    (raw / "loop-b.txt").symlink_to("loop-a.txt")
    (raw / "dangling.txt").symlink_to("nowhere.txt")
    (raw / "sub").mkdir()
    (raw / "sub" / "deep.txt").write_text(article("Chester"), encoding="utf-8")
    (raw / "sub" / "up.txt").symlink_to("../good.txt")  # inside raw/, through a parent: read
    os.symlink(raw, raw / "sub" / "raw-again")  # a directory loop: never walked twice
    bad_name = os.fsdecode(b"latin1-\xe9t\xe9.txt")  # a file name that is not UTF-8
    (raw / bad_name).write_text(article("Cambridge"), encoding="utf-8")
    out = base / "out"
    summary = extract_corpus(raw, out, progress=False)
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    errors = pd.read_parquet(out / "errors.parquet")
    followed = extract_corpus(raw, base / "out-followed", progress=False, follow_symlinks=True)
    followed_docs = pd.read_parquet(base / "out-followed" / "documents.parquet").set_index("doc_id")
    return summary, docs, errors, followed, followed_docs


def rows(errors, source_path):
    return errors[errors.source_path == source_path].sort_values("reason").reason.tolist()


def one(errors, source_path) -> str:
    got = rows(errors, source_path)
    assert len(got) == 1, (source_path, got, errors.to_dict("records"))
    return got[0]


def test_every_good_document_is_kept(hostile):
    _, docs, _, _, _ = hostile
    assert set(docs.index) == {
        "good", "sidecar", "linked", "good-twin", "nested", "deep", "up",
        "wire-1", "wire-2", "wire-4", "123", "wire-8", "wire-9", "wire-10",
    }


def test_lone_surrogates_are_replaced_and_reported_with_their_line(hostile):
    _, docs, errors, _, _ = hostile
    assert docs.loc["wire-2", "title"] == "Tram \ufffd plan"
    # One character for one: every offset into the text is where it was.
    assert docs.loc["wire-4", "text"] == article("Cardiff").replace("council", "coun\ufffdcil", 1)
    assert docs.loc["sidecar", "title"] == "Oxford \ufffd trams"
    wire = rows(errors, "wire.jsonl")
    assert wire[0].startswith("line 2: 'title' is not valid Unicode") and "U+FFFD; document kept" in wire[0]
    assert wire[2].startswith("line 4: 'text' is not valid Unicode") and "at character 13" in wire[2]
    sidecar = rows(errors, "sidecar.meta.json")
    assert any("'title' is not valid Unicode" in r for r in sidecar), sidecar


def test_ids_must_be_strings_of_valid_unicode(hostile):
    _, docs, errors, _, _ = hostile
    wire = rows(errors, "wire.jsonl")
    assert wire[1].startswith("line 3: 'id' is not valid Unicode") and "document skipped" in wire[1]
    assert wire[3] == "line 5: 'id' must be a string, got a boolean (true); document skipped"
    assert wire[4] == "line 6: 'id' must be a string, got a number (123); document skipped"
    assert "Norwich" not in docs.loc["123", "text"]  # the string id "123" is line 7's, not line 6's
    assert len(wire) == 7, wire  # lines 2-6, 8 and 9, and nothing else


def test_metadata_that_is_not_a_string_is_ignored(hostile):
    _, docs, errors, _, _ = hostile
    wire = rows(errors, "wire.jsonl")
    assert wire[5] == "line 8: 'title' must be a string, got a number; ignored"
    assert wire[6] == "line 9: 'language' must be a string, got a number; ignored"
    # As if absent: a title is then the first line of the text, the language English.
    assert docs.loc["wire-8", "title"] == article("Bath").strip()[:300] and docs.loc["wire-9", "language"] == "en"
    assert any("'source' must be a string, got an array" in r for r in rows(errors, "sidecar.meta.json"))


def test_nothing_outside_the_input_folder_is_read(hostile):
    _, docs, errors, _, _ = hostile
    assert not docs.text.str.contains("root:|Outsideville", regex=True).any()
    assert "outside the input folder" in one(errors, "passwd.txt") and "/etc/passwd" in one(errors, "passwd.txt")
    assert "outside the input folder" in one(errors, "secret.txt") and "--follow-symlinks" in one(errors, "secret.txt")
    assert "outside the input folder" in one(errors, "outside-dir")  # a directory: its files neither


def test_follow_symlinks_reads_links_out_of_the_folder(hostile):
    _, _, _, followed, docs = hostile
    assert "Outsideville" in docs.loc["secret", "text"]
    assert "secret" in docs.index  # also through outside-dir/, a duplicate doc_id: reported, not read twice


def test_special_files_and_broken_links_are_rows_never_a_hang(hostile):
    _, _, errors, _, _ = hostile
    assert one(errors, "fifo.txt") == "not a regular file but a named pipe (FIFO): not read"
    assert one(errors, "loop-a.txt") == "symbolic link loop: the link never reaches a file"
    assert one(errors, "loop-b.txt") == "symbolic link loop: the link never reaches a file"
    assert one(errors, "dangling.txt") == "dangling symbolic link: its target 'nowhere.txt' does not exist"
    assert one(errors, "dir.txt").startswith("a directory named like an article file")
    assert one(errors, "sub/raw-again").startswith("symbolic link to a directory: not followed")


def test_a_file_name_that_is_not_utf8_is_a_row(hostile):
    _, _, errors, _, _ = hostile
    assert one(errors, "latin1-\\udce9t\\udce9.txt") == "file name is not valid UTF-8; rename the file to read it"


def test_no_error_row_unaccounted_for(hostile):
    summary, _, errors, _, _ = hostile
    expected = {"wire.jsonl": 7, "sidecar.meta.json": 2, "passwd.txt": 1, "secret.txt": 1, "outside-dir": 1,
                "fifo.txt": 1, "loop-a.txt": 1, "loop-b.txt": 1, "dangling.txt": 1, "dir.txt": 1,
                "sub/raw-again": 1, "latin1-\\udce9t\\udce9.txt": 1}
    assert errors.source_path.value_counts().to_dict() == expected
    assert summary.counts["errors"] == sum(expected.values())


def test_bad_sources_are_rows_in_every_run_and_go_with_their_files(prefect_server, tmp_path):
    """Incremental runs: a source that is not a readable file is looked at again each run (its row
    stays while it does, and says what it is now), and its row goes when the file goes."""
    from pipeline.flows import extract_corpus

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "good.txt").write_text(article("Leicester"), encoding="utf-8")
    os.mkfifo(raw / "fifo.txt")
    (raw / "dangling.txt").symlink_to("later.txt")
    (raw / "passwd.txt").symlink_to("/etc/passwd")
    (raw / os.fsdecode(b"latin1-\xe9t\xe9.txt")).write_text(article("Cambridge"), encoding="utf-8")

    def errors() -> dict[str, str]:
        table = pd.read_parquet(out / "errors.parquet")
        return dict(zip(table.source_path, table.reason))

    extract_corpus(raw, out, progress=False)
    first = errors()
    assert set(first) == {"fifo.txt", "dangling.txt", "passwd.txt", "latin1-\\udce9t\\udce9.txt"}
    again = extract_corpus(raw, out, progress=False)
    assert errors() == first and again.n_extracted == 0 and not again.published  # no new snapshot for the same rows

    (raw / "fifo.txt").unlink()
    (raw / "later.txt").write_text(article("Exeter"), encoding="utf-8")  # the dangling link now leads somewhere
    extract_corpus(raw, out, progress=False)
    assert set(errors()) == {"passwd.txt", "latin1-\\udce9t\\udce9.txt"}
    docs = pd.read_parquet(out / "documents.parquet")
    assert set(docs.doc_id) == {"good", "dangling", "later"}


UNREADABLE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipeline import ingest
    raw = Path(sys.argv[1])
    result = ingest.read_sources(ingest.discover(raw), raw)
    print([d.doc_id for d in result.documents])
    print([(e.source_path, e.reason) for e in result.errors])
""")


def test_an_unreadable_subdirectory_is_a_row(tmp_path):
    """Ingest alone, in a process that cannot read the directory (the flow's server needs no part in this)."""
    raw = tmp_path / "raw"
    (raw / "locked").mkdir(parents=True)
    (raw / "good.txt").write_text(article("Leeds"), encoding="utf-8")
    (raw / "locked" / "hidden.txt").write_text(article("York"), encoding="utf-8")
    (raw / "locked").chmod(0)
    command = [sys.executable, "-c", UNREADABLE, str(raw)]
    if os.geteuid() == 0:  # root reads every directory: run without the capabilities that allow it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without util-linux setpriv to drop CAP_DAC_OVERRIDE")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    try:
        child = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        (raw / "locked").chmod(0o755)
    assert child.returncode == 0, child.stderr
    docs, errors = child.stdout.splitlines()
    assert docs == "['good']"
    assert errors == "[('locked', 'cannot list directory: Permission denied')]"
