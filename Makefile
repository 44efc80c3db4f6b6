# One entry point for people and CI. Every target builds the virtual environment first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PRESET ?=
CONTRACT := tests/test_import_contract.py

.PHONY: setup play lint test test-fast bench clean

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit("nnplay needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(STAMP)

play: setup       ## set everything up, then open the playground
	$(BIN)/nnplay $(PRESET)

lint: setup       ## ruff's rules (pyproject.toml [tool.ruff]), then the import contract
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider $(CONTRACT)

test: lint        ## set everything up, lint, then run every other test (a few minutes on 2 cores)
	$(BIN)/python -m pytest -n 2 --ignore=$(CONTRACT)

test-fast: setup  ## skip the tests marked slow (Keras training, export, malaria mock data)
	$(BIN)/python -m pytest -m "not slow" -n 2

bench: setup      ## the speed figures quoted in README.md
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
