# make demo: run truecost on the bundled sample logs. make test: lint, type check and the test suite.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR := .demo

.PHONY: help install demo test lint typecheck pytest bench clean

help:
	@echo "make demo       import the bundled sample logs and print the spend report"
	@echo "make test       ruff, mypy and pytest (installs Chromium for the browser test when root)"
	@echo "make bench      run the benchmarks that need no generated input (slow; see docs/benchmarks.md)"
	@echo "make clean      remove .venv and the demo ledger"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(BIN)/truecost import examples/claude-code --feature coding-agent --ledger $(DEMO_DIR)/ledger.duckdb
	$(BIN)/truecost import examples/api-responses --feature support-bot --ledger $(DEMO_DIR)/ledger.duckdb \
		--timestamp 2025-09-20T12:00:00Z
	TRUECOST_CONFIG=examples/truecost.toml $(BIN)/truecost report --ledger $(DEMO_DIR)/ledger.duckdb --by feature,model \
		--html $(DEMO_DIR)/report.html --png $(DEMO_DIR)/charts
	TRUECOST_CONFIG=examples/truecost.toml $(BIN)/truecost tco --ledger $(DEMO_DIR)/ledger.duckdb --month 2025-09
	@echo "HTML report: $(DEMO_DIR)/report.html"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	bash scripts/ensure-services.sh
	$(BIN)/pytest

test: lint typecheck pytest

# The benchmarks that need no generated input; docs/benchmarks.md gives the others' commands.
bench: $(STAMP)
	$(BIN)/python bench/report_ledger.py
	$(BIN)/python bench/import_bodies.py --lines 1000000 --mix short
	$(BIN)/python bench/savings_replay.py 1000000
	OPENBLAS_NUM_THREADS=1 $(BIN)/python bench/cache_speed.py --threads 2
	$(BIN)/python bench/alerts_measure.py

clean:
	rm -rf $(VENV) $(DEMO_DIR)
