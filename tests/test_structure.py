"""The shape of the code, checked: one way in for configuration, stages that do not reach into each
other, row types that match the schema."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from pipeline import money, schema, settings
from pipeline.output.fingerprint import _imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"


def _modules(package: str) -> list[str]:
    base = PACKAGE.joinpath(*package.split(".")[1:])
    return [package + ("" if p.name == "__init__.py" else "." + p.stem) for p in sorted(base.glob("*.py"))]


def test_only_settings_reads_pipeline_variables():
    reads = re.compile(r"""environ(?:\.get)?\s*[\[(]\s*["']PIPELINE_""")
    offenders = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                 if p.name != "settings.py" and reads.search(p.read_text())]
    assert offenders == [], f"read PIPELINE_* through pipeline.settings.current(): {offenders}"


def test_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(PIPELINE_[A-Z_]+)` \| [^|]+ \| (.+?) \|$", readme, flags=re.M))
    fields = {settings.variable(f.name): f for f in dataclasses.fields(settings.Settings)}
    assert set(rows) == set(fields), "README's configuration table and pipeline.settings.Settings differ"
    for name, f in fields.items():
        assert rows[name] == settings.DESCRIPTIONS[f.name], name


def test_settings_parse_the_environment():
    s = settings.Settings.from_env({"PIPELINE_MAX_FILE_BYTES": "1_000", "PIPELINE_LOCK_WAIT": "2.5",
                                    "PIPELINE_REQUIRE_BROWSER": "1", "PIPELINE_DASK_ADDRESS": ""})
    assert (s.max_file_bytes, s.lock_wait, s.require_browser, s.dask_address) == (1000, 2.5, True, None)
    assert settings.Settings.from_env({}) == settings.Settings()
    with pytest.raises(ValueError, match="PIPELINE_LOCK_WAIT='soon'"):
        settings.Settings.from_env({"PIPELINE_LOCK_WAIT": "soon"})


def test_settings_are_read_when_asked_not_at_import(monkeypatch):
    monkeypatch.setenv("PIPELINE_MAX_DOC_CHARS", "123")
    assert settings.current().max_doc_chars == 123


def test_alignment_does_not_reach_into_extraction():
    for module in _modules("pipeline.align"):
        assert not [m for m in _imports(module) if m.startswith("pipeline.extract")], module


def test_serve_takes_options_not_the_command_line():
    assert not [m for m in _imports("pipeline.runtime.serve") if m.startswith("pipeline.cli")]


def test_every_row_type_carries_its_table_columns():
    for name, row_type in schema.ROW_TYPES.items():
        fields = {f.name for f in dataclasses.fields(row_type)}
        missing = set(schema.SCHEMAS[name].names) - fields
        assert not missing, f"{row_type.__name__} lacks {missing}"


def test_money_row_is_money_value_plus_provenance():
    value_fields = {f.name for f in dataclasses.fields(money.MoneyValue)}
    row_fields = {f.name for f in dataclasses.fields(schema.MoneyRow)}
    assert value_fields <= row_fields
    assert row_fields - value_fields == {"doc_id", "start_char", "end_char", "text", "sentence_index"}


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```\n(pipeline/\n.*?)```", section, flags=re.S).group(1)


def test_readme_layout_has_one_line_per_module():
    """The Layout tree names every module of the package where it is, and nothing that is gone."""
    listed, stack = set(), []
    for line in _layout_block().splitlines():
        m = re.match(r"( *)(\S+)", line)
        if not m:
            continue
        depth, name = len(m.group(1)) // 2, m.group(2)
        stack[depth:] = [name]
        if name.endswith(".py") and stack[0] == "pipeline/":
            listed.add("".join(stack))
    actual = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    assert listed == actual, f"not in README: {sorted(actual - listed)}; gone: {sorted(listed - actual)}"


def test_readme_layout_names_every_rule_file():
    block = _layout_block()
    missing = [p.name for p in (ROOT / "rules").iterdir() if p.is_file() and p.name not in block]
    assert not missing, f"rule files the README's Layout does not name: {missing}"
