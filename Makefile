# The two commands: `make demo` and `make test`. Both set up everything they need first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The workspace's own store (data/cchc.duckdb): notebooks opened in JupyterLab afterwards read the same one.
DEMO_STORE := data/cchc.duckdb

.PHONY: demo demo-province test lint sysdeps sysdeps-test venv clean pages bench

# The sample from scratch: ingest, record the May–July letters as sent (the escalation history), then the
# May and August 2023 reviews, the H1 2023 report and the May anomalies, in outputs/<period>/.
demo: sysdeps $(STAMP)
	@rm -f $(DEMO_STORE) $(DEMO_STORE).wal
	$(BIN)/cchc ingest --sample --store $(DEMO_STORE)
	$(BIN)/cchc store --store $(DEMO_STORE)
	for m in 2023-05 2023-06 2023-07; do $(BIN)/cchc issue $$m --store $(DEMO_STORE) || exit 1; done
	$(BIN)/cchc run monthly 2023-05 --store $(DEMO_STORE) --force  # the demo remakes May, whose letter it records
	$(BIN)/cchc run monthly 2023-08 --store $(DEMO_STORE)
	$(BIN)/cchc run semiannual 2023-H1 --store $(DEMO_STORE)
	$(BIN)/cchc run anomalies 2023-05 --store $(DEMO_STORE)

# A post-2025 province (scripts/province_demo.py): 129 units, twelve months, in its own workspace build/province/;
# its data and self-assessed scores ingested, then its monthly letter for the last month, its H1 2026 report
# (example criteria) and the anomalies of that month.
demo-province: sysdeps $(STAMP)
	@rm -rf build/province
	$(BIN)/python scripts/province_demo.py build/province
	cd build/province && ../../$(BIN)/cchc ingest so-lieu/so-lieu-*.csv --area minh-hai
	cd build/province && ../../$(BIN)/cchc ingest-scores so-lieu/tu-cham-2026-H1.csv --area minh-hai
	cd build/province && ../../$(BIN)/cchc run monthly 2026-06 --area minh-hai
	cd build/province && ../../$(BIN)/cchc run semiannual 2026-H1 --area minh-hai
	cd build/province && ../../$(BIN)/cchc run anomalies 2026-06 --area minh-hai

# The suite: the linters first (ruff: pyflakes, pycodestyle, import order, pyupgrade, bugbear, complexity, unused
# arguments, formatting; basedpyright in standard mode; import-linter: each stage imports only the stages below it),
# then the whole suite on both cores.
# pytest exits 5 when it collected no test: that must fail, never pass silently.
test: sysdeps-test $(STAMP) lint
	@$(BIN)/python -m pytest -n 2 --dist worksteal; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/basedpyright
	$(BIN)/lint-imports

sysdeps:
	@bash scripts/sysdeps.sh

sysdeps-test:
	@bash scripts/sysdeps.sh --test

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) outputs/demo .pytest_cache

# Turn a run's documents into PNG pages for visual review: the appendix PDF, and the Word letter, report and
# appendix and the workbook as LibreOffice prints them. make pages PERIOD=2023-08 [OUT=outputs]
OUT ?= outputs
pages:
	@test -n "$(PERIOD)" || { echo "make pages PERIOD=2023-08 [OUT=outputs]" >&2; exit 2; }
	@bash scripts/sysdeps.sh --office
	@mkdir -p $(OUT)/$(PERIOD)/pages
	pdftoppm -r 80 -png $(OUT)/$(PERIOD)/phu-luc-$(PERIOD).pdf $(OUT)/$(PERIOD)/pages/phu-luc-$(PERIOD)
	@for f in $(OUT)/$(PERIOD)/*.docx $(OUT)/$(PERIOD)/*.xlsx; do \
	  n=$$(basename "$$f"); b=$${n%.*}; kind=$$([ "$${n##*.}" = xlsx ] && echo excel || echo word); \
	  soffice --headless --convert-to pdf --outdir $(OUT)/$(PERIOD)/pages/$$kind "$$f" >/dev/null || exit 1; \
	  pdftoppm -r 80 -png $(OUT)/$(PERIOD)/pages/$$kind/$$b.pdf $(OUT)/$(PERIOD)/pages/$$kind-$$b; \
	done
	@ls $(OUT)/$(PERIOD)/pages

# Benchmarks, on demand (not part of make test): aggregation at 1M/10M/100M dossiers against DuckDB, bare polars
# and pandas; the sample runs per step; notebook overhead. Writes benchmarks/results.json.
# Then a generated national month (3.351 units) beside the sample's district month, run alternately, into
# benchmarks/national.json. SIZES=1000000 NATIONAL_REPEATS=1 for a quick run.
SIZES ?= 1000000,10000000,100000000
NATIONAL_REPEATS ?= 5
bench: sysdeps $(STAMP)
	@$(BIN)/python -c "import pandas" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench.py --sizes $(SIZES)
	$(BIN)/python benchmarks/national.py build/national --repeats $(NATIONAL_REPEATS) > benchmarks/national.json
	@cat benchmarks/national.json
