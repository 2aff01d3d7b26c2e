# evalbook's front door. `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test lint lab suites bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

demo: setup  ## validate, score and build every report of the demo data
	$(BIN)/evalbook run --all
	@echo "打开 reports/index.html（open it in a browser）"

test: setup  ## the whole test suite (CI runs this)
	$(BIN)/python -m pytest -q

bench: setup  ## where a batch's time goes: naive loop, papermill pool, evalbook run, floor, 10,000 institutions
	$(BIN)/python scripts/bench.py

lint: setup
	$(BIN)/ruff check src tests scripts

lab: setup  ## JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

suites: setup  ## regenerate expectations/ from the column declarations
	$(BIN)/evalbook suites wendeng-featured
	$(BIN)/evalbook suites naiman-specialty

clean:
	rm -rf $(VENV) reports/wendeng-featured reports/naiman-specialty reports/index.html
