# Quick start: `make check` (set up, then check the reference template) and `make test` (set up, run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
GUARD := $(TOOLS)/bin/cfn-guard
export BC_SKIP_MAPPING := TRUE
export CKV_SKIP_PACKAGE_UPDATE_CHECK := true

.PHONY: setup check test lint clean
setup: $(VENV)/.installed $(GUARD)

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

$(GUARD): scripts/install-cfn-guard.py $(VENV)/.installed
	$(PYTHON) scripts/install-cfn-guard.py $(TOOLS)
	ln -sf ../../$(GUARD) $(BIN)/cfn-guard
	touch $@

# The evidence is dated by the last commit that changed what it attests (template or rules), so `make check`
# regenerates byte-identical reports until one of them changes (tests/test_reports.py relies on it).
EVIDENCE_EPOCH = $(shell git log -1 --format=%ct -- template rules 2>/dev/null)

check: setup
	SOURCE_DATE_EPOCH=$(EVIDENCE_EPOCH) $(BIN)/cfn-iso27001 check --output-dir reports --format json --format sarif --format junit --format markdown --format html

test: setup
	sh scripts/ensure-chromium.sh
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check checker tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(TOOLS)

# Benchmark (not part of `make test`: it takes a long while): our check vs checkov alone vs cfn-guard alone.
# Writes docs/benchmarks.md; GNU time gives peak memory (Debian's `time` package is installed when missing).
.PHONY: bench
bench: setup
	test -x /usr/bin/time || (apt-get install -y time >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y time >/dev/null)) || echo "bench: no GNU time; peak memory from getrusage"
	$(BIN)/python bench/run.py --write-docs
