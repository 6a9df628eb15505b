# Two commands for a newcomer: `make run` (the demo) and `make test` (the tests).
# Both create .venv and install pinned versions (pyproject.toml + constraints.txt) first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test eval bench serve clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==26.3"
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/aidtrace run

test: install
	$(PY) -m pytest

eval: install
	$(VENV)/bin/aidtrace eval ../shared/corpus/dev/gold.jsonl --articles ../shared/corpus/dev/articles.jsonl --report out/eval-report.json

bench: install
	$(PY) benchmarks/run_all.py
	$(PY) benchmarks/bench_api.py

serve: install
	$(VENV)/bin/aidtrace serve

clean:
	rm -rf $(VENV) aidtrace.duckdb out test-output
