# Every set-up step lives here, so a fresh clone needs nothing but `make run` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install index lint typecheck eval bench clean

run: $(STAMP)
	@# Incremental: a fresh clone builds the index, an unchanged corpus costs a second. Exit 1 only means some
	@# files failed (listed above); the rest is indexed and served.
	$(PY) -m ingestion index; rc=$$?; [ $$rc -le 1 ] || exit $$rc
	$(PY) -m api serve

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[st,dev]'
	touch $(STAMP)

index: $(STAMP)
	$(PY) -m ingestion index

lint: $(STAMP)
	$(VENV)/bin/ruff check core ingestion assistant api storage web tests bench
	$(VENV)/bin/mypy

test: $(STAMP)
	bash scripts/test.sh

eval: $(STAMP)
	$(PY) -m bench.eval

# Quality, latency, load, streaming, ingestion and scaling, side by side in one run against the real service on
# loopback: bench/report.md, bench/report.json and PNG plots. `$(PY) -m bench --quick` for a short look.
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .mypy_cache
