# The two commands: `make demo` and `make test`. Both set up everything they need first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_STORE := outputs/demo/cchc.duckdb

.PHONY: demo test sysdeps venv clean

demo: sysdeps $(STAMP)
	@rm -f $(DEMO_STORE) $(DEMO_STORE).wal
	$(BIN)/cchc ingest --sample --store $(DEMO_STORE)
	$(BIN)/cchc store --store $(DEMO_STORE)

# pytest exits 5 when it collected no test: that must fail, never pass silently.
test: sysdeps $(STAMP)
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

sysdeps:
	@bash scripts/sysdeps.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) outputs/demo .pytest_cache
