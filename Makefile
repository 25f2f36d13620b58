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

.PHONY: run test test-fast lint index install test-install browser postgres axe bench clean lock

run: install index
	$(PY) app.py

# the full gate (CI runs this): lint, every test tier, then the evaluation sets, one after the other (two lanes
# side by side were no faster on two cores: both are CPU-bound). The slowest tests are listed at the end.
test: test-install browser postgres axe lint
	$(PY) -m pytest --durations=15
	@# the gate: golden sets and practice clinics; the blind set's ten test clinics (1,672 more cases, each
	@# indexed on its own) are measured by a plain `python -m evals run`, outside the gate
	$(PY) -m evals run --report reports/eval --no-blind

# the edit-test loop: lint and the unit tier (fakes, no model loaded, no browser, no server)
test-fast: test-install lint
	$(PY) -m pytest tests/unit -q

lint: test-install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .


index: install
	@# syncs only what changed; exit 3 means some file failed (reported above), the rest is served
	$(PY) -m ingest || [ $$? -eq 3 ]

install: $(VENV)/.installed
test-install: $(VENV)/.test-installed

# Installs come only from the committed locks (exact versions and sha256 hashes), never from
# whatever is newest on the day: see requirements/README.md. torch is the CPU build on disk.
$(VENV)/.installed: requirements/run.lock
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --require-hashes --no-deps -r requirements/run.lock
	$(PIP) install -q --no-deps --no-build-isolation -e .
	touch $@

# llama.cpp (llama-cpp-python, the LLM tests' real server) builds from source: for a fixed x86-64-v3 target
# rather than the build machine's own CPU (-march=native would make the same commit behave differently on the
# next machine), and without the multimodal library the tests never load
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF
LLAMA_WHEELS := $(VENV)/llama-wheel
# On a fresh machine llama.cpp compiles (both cores) while the run lock's wheels unpack (mostly one core): the
# wheel is built from the test lock's own pinned, hashed sdist, then installed before the rest of the test lock.
$(VENV)/.test-installed: requirements/run.lock requirements/test.lock
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	awk '/^llama-cpp-python==/{on=1} on{print} on && !/\\$$/{on=0}' requirements/test.lock > $(VENV)/llama.req
	rm -rf $(LLAMA_WHEELS)
	( CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(PIP) wheel -q --no-deps \
	    --require-hashes -r $(VENV)/llama.req -w $(LLAMA_WHEELS) > $(VENV)/llama-build.log 2>&1 ) & build=$$!; \
	  $(MAKE) --no-print-directory install; installed=$$?; \
	  wait $$build || { cat $(VENV)/llama-build.log; exit 1; }; exit $$installed
	$(PIP) install -q --no-deps $(LLAMA_WHEELS)/*.whl
	$(PIP) install -q --require-hashes --no-deps -r requirements/test.lock
	$(PIP) check
	touch $@

# `make lock` refreshes the locks on purpose (a reviewed change: put the eval figures in the
# commit message). uv resolves; pip installs. The lock is for CPython 3.11 on x86_64 Linux.
UV_VERSION := 0.13.9
TOOLS := .venv-tools
LOCK_FLAGS := -c requirements/constraints.in --generate-hashes --find-links /opt/wheels \
	--emit-find-links --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	--custom-compile-command "make lock" --quiet
lock:
	[ -x $(TOOLS)/bin/uv ] || { $(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install -q uv==$(UV_VERSION); }
	$(TOOLS)/bin/uv pip compile pyproject.toml requirements/build.in --extra test $(LOCK_FLAGS) -o requirements/test.lock
	$(TOOLS)/bin/uv pip compile pyproject.toml requirements/build.in -c requirements/test.lock $(LOCK_FLAGS) -o requirements/run.lock

# axe-core for the browser tests' accessibility checks: a pinned version from the npm registry, its hash checked.
AXE_VERSION := 4.14.1
AXE_SHA512 := FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE := .cache/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	mkdir -p .cache/axe-core
	cd .cache/axe-core && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && [ "$$(openssl dgst -sha512 -binary axe-core-$(AXE_VERSION).tgz | base64 -w0)" = "$(AXE_SHA512)" ] \
	  && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js && mv package/axe.min.js . && rm -rf package *.tgz

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work offline).
browser:
	@command -v /usr/bin/chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }

# Debian's PostgreSQL for the storage tests, which start their own server in a temporary folder (make run never
# needs it: the embedded default is SQLite).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q postgresql; \
	  else sudo apt-get update -q && sudo apt-get install -y -q postgresql; fi; }

bench: test-install
	$(PY) -m benchmarks.ingest_bench
	$(PY) -m benchmarks.answer_bench
	$(PY) -m benchmarks.load_bench
	$(PY) -m benchmarks.llm_bench

clean:
	rm -rf .index .data reports artifacts
