# grepp — two commands on a fresh machine: `make demo` and `make test`.
# Every target respects GREPP_DATA (data directory) and GREPP_DB (DuckDB file).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
GREPP_DATA ?= $(abspath ../shared/data)
GREPP_DB ?= $(abspath grepp.duckdb)
export GREPP_DATA GREPP_DB

.PHONY: install demo demo-data test test-fast lint bench adapters clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

demo-data: install
	$(BIN)/grepp demo build

demo: demo-data
	$(BIN)/grepp demo show

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench

# rebuild the encoder adapters shipped in src/grepp/resources (trained on ROME/ESCO labels only; ~2 min cached, ~13 cold)
adapters: install
	$(BIN)/python scripts/train_adapters.py
	$(BIN)/python scripts/train_adapters.py --encoder e5-small

clean:
	rm -rf $(VENV) .grepp-cache grepp.duckdb grepp.duckdb.wal .pytest_cache .mypy_cache .ruff_cache
