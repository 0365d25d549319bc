# k8s-tasks developer commands. `make setup` once, then `make test`, `make lint`, `make demo`.
PYTHON_BIN ?= $(shell scripts/find-python.sh)
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup test test-sqlite test-postgres lint check demo bench chaos faults clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,examples]'
	touch $@

.tools/bin/kubectl: scripts/install-tools.sh | $(VENV)/.installed
	PYTHON=$(PY) bash scripts/install-tools.sh

setup: $(VENV)/.installed .tools/bin/kubectl  ## venv, package, dev tools, the examples' extra, kubectl and helm

test: setup  ## the whole suite, on SQLite and then on PostgreSQL
	bash scripts/ensure-postgres.sh
	$(MAKE) --no-print-directory test-sqlite test-postgres

test-sqlite:
	K8S_TASKS_TEST_DB=sqlite $(PY) -m pytest $(PYTEST_ARGS)

test-postgres:
	K8S_TASKS_TEST_DB=postgres $(PY) -m pytest $(PYTEST_ARGS)

lint: setup  ## ruff, mypy, Django system checks, migrations up to date
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy k8s_tasks operator/k8s_tasks_operator
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) -m django check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) -m django makemigrations --check --dry-run k8s_tasks

demo: setup  ## local cluster + operator on SQLite, every example enqueued, shown live and verified
	$(PY) examples/demo/run_demo.py $(DEMO_ARGS)

bench: setup  ## benchmarks side by side with django-tasks-db, SQLite and PostgreSQL (~19-23 min: 5 repetitions, see bench/README.md)
	bash scripts/ensure-postgres.sh
	$(PY) -m bench.run $(BENCH_ARGS)

faults: setup  ## tests/faults on both databases, then the fault matrix (fault x tasks x lost / duplicated / stuck)
	bash scripts/ensure-postgres.sh
	rm -f .fault-matrix.jsonl
	K8S_TASKS_FAULT_MATRIX=$(CURDIR)/.fault-matrix.jsonl K8S_TASKS_TEST_DB=sqlite $(PY) -m pytest -q tests/faults $(PYTEST_ARGS)
	K8S_TASKS_FAULT_MATRIX=$(CURDIR)/.fault-matrix.jsonl K8S_TASKS_TEST_DB=postgres $(PY) -m pytest -q tests/faults $(PYTEST_ARGS)
	$(PY) -m tests.faults.matrix .fault-matrix.jsonl

chaos: setup  ## the full chaos run of tests/faults (300 tasks, 60 operator SIGKILLs, a real PostgreSQL restart; ~10 min)
	bash scripts/ensure-postgres.sh
	K8S_TASKS_CHAOS=full K8S_TASKS_TEST_DB=postgres $(PY) -m pytest -s tests/faults/test_chaos.py $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache
