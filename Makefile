# Two commands do all the set-up on a fresh machine:
#   make demo   installs everything into .venv/ and runs analogwatch on the built-in example
#   make test   installs everything into .venv/ and runs the linters, the type checker and the tests
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install system system-test lint typecheck pytest bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: system $(STAMP)

system:
	@bash scripts/install-system-deps.sh

system-test:
	@bash scripts/install-system-deps.sh test

demo: install
	$(BIN)/analogwatch demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadgroup

test: system-test install lint typecheck pytest

bench: install
	$(BIN)/python benchmarks/screen_bench.py --quick

clean:
	rm -rf $(VENV) build dist *.egg-info
