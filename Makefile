# evalbook's front door. `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin

# The end-to-end tests that `make test-3.13` runs on Python 3.13: the CLI (papermill, nbconvert, GX), naiman's
# workbooks to reports, notebooks run from anywhere, the demo run byte-identical, the kernel's interpreter, extras.
E2E_TESTS := tests/test_cli_e2e.py tests/test_naiman_e2e.py tests/test_notebooks_anywhere.py \
             tests/test_golden_outputs.py tests/test_environment.py tests/test_extras.py

.PHONY: setup browser calc demo test test-3.13 lint lab suites rules bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

demo: setup  ## validate, score and build every report of the demo data
	$(BIN)/evalbook run --all
	@echo "打开 reports/index.html（open it in a browser）"

# Debian's headless Chromium and a CJK font, for the browser tests and `evalbook pdf` (no downloaded browser).
# Installs only what is missing, with apt-get as root; otherwise says what to install (the browser tests then fail).
browser:  ## chromium + fonts-noto-cjk (apt-get, as root) unless already installed
	@if [ -x /usr/bin/chromium ] && fc-list ':lang=zh' family 2>/dev/null | grep -q 'Noto Sans CJK'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "安装 installing chromium fonts-noto-cjk (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk; \
	else \
	  echo "缺少 Chromium 或中文字体，浏览器测试和 evalbook pdf 将失败。请以 root 运行 make browser，或: sudo apt-get install chromium fonts-noto-cjk" >&2; \
	  echo "Chromium or the Noto CJK font is missing: the browser tests and evalbook pdf will fail. As root: apt-get install chromium fonts-noto-cjk" >&2; \
	fi

# LibreOffice Calc, the spreadsheet program the tests re-save templates with as WPS or Excel would (about 3 min once).
calc:  ## libreoffice-calc (apt-get, as root) unless soffice is already installed
	@if command -v soffice >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "安装 installing libreoffice-calc (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc; \
	else \
	  echo "缺少 LibreOffice Calc，模板另存测试将失败。请以 root 运行 make calc，或: sudo apt-get install libreoffice-calc" >&2; \
	  echo "LibreOffice Calc is missing: the re-saved template tests will fail. As root: apt-get install libreoffice-calc" >&2; \
	fi

test: lint setup browser calc  ## ruff, the whole test suite, then the end-to-end tests on Python 3.13 (CI runs this)
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory test-3.13

# A working Python 3.13 (python3.13 on PATH, else pyenv's versions folder) gets its own .venv-3.13 from the same
# requirements.lock, and the end-to-end tests run on it; without one this says so and succeeds.
test-3.13:  ## the end-to-end tests on Python 3.13, where one is installed
	@py=$$(scripts/find_python 3.13); \
	if [ -z "$$py" ]; then echo "未找到可用的 Python 3.13，跳过 3.13 测试。No working Python 3.13 (PATH or pyenv): 3.13 tests skipped."; \
	else echo "Python 3.13: $$py"; $(MAKE) --no-print-directory setup VENV=.venv-3.13 PYTHON="$$py" && \
	  .venv-3.13/bin/python -m pytest -q -p no:cacheprovider $(E2E_TESTS); fi

bench: setup  ## where a batch's time goes: naive loop, pool, evalbook run, floor, 10,000 units, per-report cost by cohort size, Dask
	$(BIN)/python scripts/bench.py

lint: setup
	$(BIN)/ruff check src tests scripts

lab: setup  ## JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

suites: setup  ## regenerate expectations/ from the column declarations
	$(BIN)/evalbook suites wendeng-featured
	$(BIN)/evalbook suites naiman-specialty

rules: setup  ## regenerate docs/rules/ (the rules as implemented) from rubrics/
	$(BIN)/evalbook rubric wendeng-featured --out docs/rules/wendeng-featured.md
	$(BIN)/evalbook rubric naiman-specialty --out docs/rules/naiman-specialty.md

clean:
	rm -rf $(VENV) .venv-3.13 reports/wendeng-featured reports/naiman-specialty reports/index.html
