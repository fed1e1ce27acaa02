"""Reading sources part by part (pipeline.ingest.read_source_parts)."""

from pipeline import ingest


def test_a_jsonl_read_in_parts_gives_what_reading_it_whole_gives(tmp_path):
    """Parts of ``part_docs`` documents, a bad line's error row in the part it falls in, and the
    same documents and rows as :func:`ingest.read_source`."""
    import json

    good = "The council met in the town hall on Monday to discuss the budget. " * 5
    lines = [json.dumps({"id": f"a{i}", "text": good}) for i in range(5)]
    lines.insert(3, "{not json")
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    parts = list(ingest.read_source_parts(tmp_path / "feed.jsonl", tmp_path, part_docs=2))
    assert [[d.doc_id for d in docs] for docs, _ in parts] == [["a0", "a1"], ["a2", "a3"], ["a4"]]
    assert [len(errors) for _, errors in parts] == [0, 1, 0]
    docs, errors = ingest.read_source(tmp_path / "feed.jsonl", tmp_path)
    assert [d.doc_id for d in docs] == [d.doc_id for p, _ in parts for d in p]
    assert [e.reason for e in errors] == [e.reason for _, p in parts for e in p] and "line 4" in errors[0].reason


class _FailingAfter:
    """A binary file handle whose reads fail (EIO) after ``n`` lines, as a disk error does."""

    def __init__(self, handle, n: int):
        self.handle, self.n = handle, n

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def read(self, *size):  # hashing the file still works: only reading it line by line fails
        return self.handle.read(*size)

    def __iter__(self):
        for i, line in enumerate(self.handle):
            if i == self.n:
                raise OSError(5, "Input/output error")
            yield line


def _feed(path, n: int) -> None:
    import json

    good = "The council met in the town hall on Monday to discuss the budget. " * 5
    path.write_text("\n".join(json.dumps({"id": f"a{i}", "text": good}) for i in range(n)) + "\n", encoding="utf-8")


def _read_all(parts):
    out = []
    while True:
        try:
            out.append(next(parts))
        except StopIteration as end:
            return out, end.value


def test_a_jsonl_that_fails_part_way_hands_on_what_it_read_then_says_it_failed(tmp_path, monkeypatch):
    _feed(tmp_path / "feed.jsonl", 5)
    real = ingest._open_source
    monkeypatch.setattr(ingest, "_open_source", lambda *a: _FailingAfter(real(*a), 3))
    parts, complete = _read_all(ingest.read_source_parts(tmp_path / "feed.jsonl", tmp_path, part_docs=2))
    assert [[d.doc_id for d in docs] for docs, _ in parts] == [["a0", "a1"], ["a2"], []]
    assert [e.reason for e in parts[-1][1]] == ["cannot read file: Input/output error"] and complete is False
    monkeypatch.setattr(ingest, "_open_source", real)
    assert _read_all(ingest.read_source_parts(tmp_path / "feed.jsonl", tmp_path, part_docs=2))[1] is True


def test_a_source_that_failed_part_way_is_read_again_by_the_next_run(prefect_server, tmp_path, monkeypatch):
    from pipeline import dataset
    from pipeline.flows import extract_corpus

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    _feed(raw / "feed.jsonl", 5)
    real = ingest._open_source
    monkeypatch.setattr(ingest, "_open_source", lambda *a: _FailingAfter(real(*a), 3))
    first = extract_corpus(raw, out, progress=False)
    assert first.n_extracted == 3
    assert "cannot read file" in " ".join(dataset.read(out, "errors").reason)
    monkeypatch.setattr(ingest, "_open_source", real)
    second = extract_corpus(raw, out, progress=False)  # the file's stat did not change
    assert second.sources_read == 1 and second.n_extracted == 2
    assert sorted(dataset.read(out, "documents").doc_id) == [f"a{i}" for i in range(5)]
    assert len(dataset.read(out, "errors")) == 0


def test_error_rows_come_in_the_order_of_a_whole_read(prefect_server, tmp_path, monkeypatch):
    """A file's reading errors first, then triage's (duplicates), wherever the parts are cut."""
    import json

    from pipeline import dataset
    from pipeline.flows import extract_corpus

    good = "The council met in the town hall on Monday to discuss the budget. " * 5
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = [json.dumps({"id": i, "text": good}) for i in ("a0", "a0", "a1")] + ["{bad", json.dumps({"id": "a1", "text": good})]
    (raw / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    extract_corpus(raw, tmp_path / "whole", progress=False)
    monkeypatch.setattr(ingest, "PART_DOCS", 1)
    extract_corpus(raw, tmp_path / "parts", progress=False)
    whole, parts = (list(dataset.read(tmp_path / d, "errors").reason) for d in ("whole", "parts"))
    assert parts == whole and len(whole) == 3 and "malformed JSON" in whole[0]
