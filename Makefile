# Two commands a new user needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 not found; run: make PYTHON=/path/to/python3.11" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# setuptools says once, for any editable install of a package beside other folders, to
	# mind folders named like the package: a notice, not a warning about this project
	PYTHONWARNINGS="ignore:Editable installation" \
		$(PY) -m pip install -q -c constraints.txt -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m symnum demo

# pytest: one worker per core (measured on 2 cores: 3 workers spent 15% more CPU, and
# 1 min more wall, than 2; the waits of the browser and process tests do not make up for it),
# and so one BLAS and OpenMP thread per worker: with their own threads each worker's BLAS
# fought the other's for the cores (one catalog entry's 6 eigvals + svd took 12 s of CPU
# instead of 2)
test: $(STAMP)
	$(VENV)/bin/ruff check symnum tests derivations notebooks benchmarks
	$(PY) -m mypy
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
		$(PY) -m pytest -n $$(nproc) --dist loadgroup

lint: $(STAMP)
	$(VENV)/bin/ruff check symnum tests derivations notebooks benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .jax_cache
