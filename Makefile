# The two commands of the README: `make run` serves the API locally, `make test` runs the checks CI runs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest workers: one a core (2 in CI); a test file's tests stay together in one worker (--dist loadfile).
TEST_WORKERS ?= auto

.PHONY: run test lint format bench clean layer deploy admin demo
STAGE ?= dev
ADMIN ?= admin

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m infra.local

# The local run filled offline from a stand-in YouTube (infra/demo.py); its archive is ./data-demo.
demo: $(STAMP)
	$(BIN)/python -m infra.demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	sh tests/setup_browser.sh
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/api_cost.py

# Deploy (README "Deploy"): credentials and region from the environment, as boto3 reads them.
layer: $(STAMP)
	$(BIN)/python layers/build.py

deploy: $(STAMP)
	$(BIN)/python -m infra.deploy --stage $(STAGE) $(if $(ALARM_EMAIL),--alarm-email $(ALARM_EMAIL))

admin: $(STAMP)
	APP_STAGE=$(STAGE) TABLE_PREFIX=ytarchive-$(STAGE)- $(BIN)/python -m infra.cli create-user $(ADMIN) --admin

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
