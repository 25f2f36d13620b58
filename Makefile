# clinicbot: `make run` serves the app, `make test` runs everything. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Offline and private by default: no model hub, no telemetry.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: run test index install test-install browser bench clean

run: install index
	$(PY) app.py

test: test-install browser
	$(PY) -m pytest
	$(PY) -m evals run --report reports/eval


index: install
	@# syncs only what changed; exit 1 means some file failed (reported above), the rest is served
	$(PY) -m ingest || [ $$? -eq 1 ]

install: $(VENV)/.installed
test-install: $(VENV)/.test-installed

# torch first and pinned: the CPU build on disk, never a multi-GB CUDA download.
$(VENV)/.installed: pyproject.toml
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[test]'
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work offline).
browser:
	@command -v /usr/bin/chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }

bench: test-install
	$(PY) -m benchmarks.ingest_bench
	$(PY) -m benchmarks.answer_bench
	$(PY) -m benchmarks.load_bench

clean:
	rm -rf .index .data reports artifacts
