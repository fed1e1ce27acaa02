# Every verb bootstraps .venv/ on first use (or when pyproject.toml changed): a fresh machine
# needs only Python 3.11+ and pip, and the package indexes.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

export PREFECT_HOME := $(CURDIR)/.prefect
# `make serve`: seconds between scheduled runs (make serve SERVE_INTERVAL=60)
SERVE_INTERVAL ?= 300

.PHONY: pipeline test serve bench eval report explore clean

pipeline: $(STAMP)
	@$(PY) -m pipeline run --raw raw --out processed

# Two pytest-xdist workers: tests that wait (servers, subprocesses, a browser) overlap the others, and a
# 2-core machine runs two tests at once; a file's tests stay on one worker (tests/conftest.py).
# make test TEST_WORKERS=0 runs them in this process, one after another.
TEST_WORKERS ?= 2
test: $(STAMP)
	@$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

bench: $(STAMP)
	@$(PY) -m pipeline bench

# The incremental path at 10k / 100k / 1M documents, beside a 3-document corpus (the fixed cost of a
# run); e.g. make bench-scale SIZES="3 10000".
SIZES ?= 3 10000 100000 1000000
bench-scale: $(STAMP)
	@$(PY) -m pipeline bench-scale --sizes $(SIZES)

eval: $(STAMP)
	@$(PY) -m pipeline eval

report: $(STAMP)
	@$(PY) -m pipeline report

# Datasette over processed/ on http://127.0.0.1:8001 (EXPLORE_PORT to change); Ctrl-C stops.
EXPLORE_PORT ?= 8001
explore: $(STAMP)
	@$(PY) -m pipeline explore --out processed --port $(EXPLORE_PORT)

# Starts a Prefect server on 127.0.0.1:4200 (unless PREFECT_API_URL is set), then re-runs the
# flow now and every SERVE_INTERVAL seconds; Ctrl-C stops both.
serve: $(STAMP)
	@$(PY) -m pipeline serve --raw raw --out processed --interval $(SERVE_INTERVAL)

# The package's own bytecode is compiled at install, as pip compiles every other package's: an
# editable install otherwise leaves it to the first run, and where PYTHONDONTWRITEBYTECODE is set,
# to every run (~0.4 s of a small one).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing into $(VENV) (first run, or pyproject.toml changed; log: $(VENV)/install.log) ..."
	@{ $(PY) -m pip install --disable-pip-version-check --upgrade pip \
	   && $(PY) -m pip install --disable-pip-version-check -e '.[dev]' \
	   && $(PY) -m compileall -q pipeline; } > $(VENV)/install.log 2>&1 \
	   || { tail -n 40 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .prefect processed/*.parquet processed/.current processed/.lake processed/.data \
		processed/.cache processed/.lock processed/.lock.owner processed/explore.db processed/report.html
