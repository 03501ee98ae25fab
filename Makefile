# tracklens — developer entry points.
#   make demo   open the dashboard on the bundled sample (assets/sample)
#   make test   run the whole test suite, browser tests included
#   make bench  time tracklens against TrackEval and friends

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP       := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: venv test demo bench clean

venv: $(STAMP)

# (Re)install whenever pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e '.[test]'
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

clean:
	rm -rf $(VENV) *.egg-info build tests/screenshots .pytest_cache
