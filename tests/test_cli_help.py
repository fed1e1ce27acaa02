"""Every option of every verb says what it does (`pipeline VERB --help`)."""

from __future__ import annotations

import argparse
import importlib

import pytest


@pytest.mark.parametrize("module", ["pipeline.tools.bench", "pipeline.tools.eval_suite", "pipeline.tools.report"])
def test_every_option_has_help_text(module, monkeypatch, capsys):
    parsers = []
    original = argparse.ArgumentParser.parse_args

    def capture(self, *args, **kwargs):
        parsers.append(self)
        raise SystemExit(0)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", capture)
    with pytest.raises(SystemExit):
        importlib.import_module(module).main([])
    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", original)
    (parser,) = parsers
    options = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    assert options
    assert [a.option_strings for a in options if not a.help] == []
