# The two commands of the README: `make run` serves the API locally, `make test` runs the checks CI runs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m functions.local

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	sh tests/setup_browser.sh
	$(BIN)/python -m pytest

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/api_cost.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
