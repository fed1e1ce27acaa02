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
