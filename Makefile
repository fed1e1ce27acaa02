# Every verb bootstraps .venv/ on first use (or when pyproject.toml changed): a fresh machine
# needs only Python 3.11+ and pip, and the package indexes.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

export PREFECT_HOME := $(CURDIR)/.prefect

.PHONY: pipeline test bench eval report clean

pipeline: $(STAMP)
	@$(PY) -m pipeline run --raw raw --out processed

test: $(STAMP)
	@$(PY) -m pytest

bench: $(STAMP)
	@$(PY) -m pipeline bench

eval: $(STAMP)
	@$(PY) -m pipeline eval

report: $(STAMP)
	@$(PY) -m pipeline report

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing into $(VENV) (first run only) ..."
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .prefect processed/*.parquet processed/.staging-*
