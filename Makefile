# Two commands for a newcomer: `make run` (the demo) and `make test` (the tests).
# Both create .venv and install pinned versions (pyproject.toml + constraints.txt) first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test train eval cv bench serve clean

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

# Rebuild the shipped event model (src/aidtrace/data/event-model.json) from the gold corpora
# in ../shared/corpus/{dev,train}: deterministic (fixed seeds), a few minutes on 2 cores.
train: install
	$(VENV)/bin/aidtrace train

# The number to optimise: 5-fold article-level cross-validation over train+dev.
cv: install
	mkdir -p out
	$(VENV)/bin/aidtrace eval --cv 5 --report out/cv-report.json --predictions out/cv-predictions.jsonl

eval: install
	$(VENV)/bin/aidtrace eval ../shared/corpus/dev/gold.jsonl --articles ../shared/corpus/dev/articles.jsonl --report out/eval-report.json

bench: install
	$(PY) benchmarks/run_all.py
	$(PY) benchmarks/bench_api.py

serve: install
	$(VENV)/bin/aidtrace serve

clean:
	rm -rf $(VENV) aidtrace.duckdb out test-output
