"""The analyst queries in README.md run against a real run's tables and return rows."""

from __future__ import annotations

import ast
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _query_blocks() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Five analyst queries", 1)[1]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_has_setup_and_five_queries():
    assert len(_query_blocks()) == 6  # the set-up block, then five queries


def _run_block(block: str, namespace: dict):
    """Run a block like a notebook cell: the value of its last expression (or last assignment)."""
    tree = ast.parse(block)
    *body, last = tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), "<readme>", "exec"), namespace)
    if isinstance(last, ast.Expr):
        return eval(compile(ast.Expression(last.value), "<readme>", "eval"), namespace)
    exec(compile(ast.Module(body=[last], type_ignores=[]), "<readme>", "exec"), namespace)
    return namespace[last.targets[0].id]


def test_readme_queries_run_on_the_sample_run(seed_run):
    _, out = seed_run
    setup, *queries = _query_blocks()
    namespace: dict = {}
    exec(setup.replace('P = "processed"', f"P = {str(out)!r}"), namespace)
    for i, block in enumerate(queries, start=1):
        result = _run_block(block, namespace)
        if hasattr(result, "df"):
            result = result.df()
        assert len(result) > 0, f"README query {i} returned no rows"
