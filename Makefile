# tracklens — developer entry points.
#   make demo         open the dashboard on the bundled sample (assets/sample)
#   make test         run the whole test suite, browser tests included, in the locked environment
#   make test-latest  the same suite against the newest versions pyproject.toml allows (drift check)
#   make lock         re-resolve requirements/*.lock on purpose (then commit them)
#   make bench        time tracklens against TrackEval and friends

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
LOCK   := requirements/test.lock
STAMP       := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
LATEST      := .venv-latest
TOOLS       := .venv-tools
UV_VERSION  := 0.13.9
UV_COMPILE   = $(TOOLS)/bin/uv pip compile pyproject.toml --python-version 3.11 --override requirements/overrides.txt

.PHONY: venv test test-latest demo bench lock clean

venv: $(STAMP)

# (Re)install whenever the lock or pyproject.toml is newer than the stamp: the locked packages with
# their hashes, then tracklens itself (editable, no dependencies, no build isolation: setuptools is locked).
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --require-hashes --no-deps -r $(LOCK)
	$(PIP) install -q --no-deps --no-build-isolation -e .
	touch $@

$(BENCH_STAMP): $(STAMP)
	$(PIP) install -q -e '.[test,bench]'
	touch $@

test: $(STAMP)
	$(PY) -m pytest -q

demo: $(STAMP)
	$(VENV)/bin/tracklens dashboard

bench: $(BENCH_STAMP)
	$(PY) benchmarks/bench_eval.py

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q uv==$(UV_VERSION)

lock: $(TOOLS)/bin/uv
	$(UV_COMPILE) --generate-hashes --upgrade -o requirements/app.lock
	$(UV_COMPILE) --generate-hashes --upgrade --extra test requirements/build.in -o $(LOCK)

test-latest: $(TOOLS)/bin/uv
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(UV_COMPILE) --upgrade --extra test requirements/build.in -o $(LATEST)/requirements.txt
	$(LATEST)/bin/python -m pip install -q --no-deps -r $(LATEST)/requirements.txt
	$(LATEST)/bin/python -m pip install -q --no-deps --no-build-isolation -e .
	$(LATEST)/bin/python -m pytest -q

clean:
	rm -rf $(VENV) $(LATEST) $(TOOLS) *.egg-info build dist tests/screenshots .pytest_cache
