# k8s-tasks developer commands. `make setup` once, then `make test`, `make lint`, `make demo`.
PYTHON_BIN ?= $(shell scripts/find-python.sh)
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/.tools/bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup test test-sqlite test-postgres test-django52 lint lint-django52 check demo bench chaos faults clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,examples]'
	touch $@

.tools/bin/kubectl: scripts/install-tools.sh | $(VENV)/.installed
	PYTHON=$(PY) bash scripts/install-tools.sh

setup: $(VENV)/.installed .tools/bin/kubectl  ## venv, package, dev tools, the examples' extra, kubectl and helm

test: setup  ## the whole suite on SQLite, then on PostgreSQL, then Django 5.2 LTS's lane (test-django52)
	bash scripts/ensure-postgres.sh
	$(MAKE) --no-print-directory test-sqlite test-postgres test-django52

test-sqlite:
	K8S_TASKS_TEST_DB=sqlite $(PY) -m pytest $(PYTEST_ARGS)

# The tests that reach no database (no database fixture: pytest-django refuses them the database) ran, the
# same, in the SQLite run; this run deselects them (tests/conftest.py). K8S_TASKS_TEST_ALL=1 runs them too.
test-postgres:
	K8S_TASKS_TEST_DB=postgres $(PY) -m pytest $(PYTEST_ARGS)

# Django 5.2 LTS with the django-tasks backport, on the oldest Python supported (3.11), in a venv of its own.
# Its tests: the backend contract, the runner and the operator end to end (all but the 60 s random-SIGKILL
# test, whose subject is the operator's crash safety, and the 16 s eviction and node-loss retries, the cluster's;
# none is Django's), on PostgreSQL, every one (K8S_TASKS_TEST_ALL=1: also those that reach no database), and
# the README's own project on Django 5.2 in a new venv. About 4 minutes with the venv.
VENV52 := .venv-django52
PY52 := $(VENV52)/bin/python
DJANGO52_TESTS := tests/backend/test_contract.py tests/runner tests/operator_e2e tests/readme/test_django52.py \
	--deselect tests/operator_e2e/test_restarts.py::test_operator_sigkilled_at_random_loses_and_duplicates_nothing \
	--deselect tests/operator_e2e/test_failures.py::test_eviction_is_retried_then_succeeds \
	--deselect tests/operator_e2e/test_failures.py::test_node_loss_is_retried_on_another_node

$(VENV52)/.installed: pyproject.toml
	test -x $(PY52) || $$(scripts/find-python.sh 3.11) -m venv $(VENV52)
	$(PY52) -m pip install -q -e '.[django52,postgres,testing]' pytest pytest-django pytest-asyncio \
		pytest-timeout mypy 'django-stubs>=5.2,<6' types-PyYAML
	touch $@

test-django52: $(VENV52)/.installed .tools/bin/kubectl  ## Django 5.2 LTS + the backport (Python 3.11): contract, runner, operator e2e, the README's project
	bash scripts/ensure-postgres.sh
	PATH=$(CURDIR)/$(VENV52)/bin:$$PATH K8S_TASKS_TEST_DB=postgres K8S_TASKS_TEST_ALL=1 $(PY52) -m pytest $(DJANGO52_TESTS) $(PYTEST_ARGS)

lint: setup  ## ruff, mypy, Django system checks, migrations up to date
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy k8s_tasks operator/k8s_tasks_operator
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) -m django check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) -m django makemigrations --check --dry-run k8s_tasks

lint-django52: $(VENV52)/.installed  ## mypy on the Django 5.2 venv (k8s_tasks.compat's backport branch), checks, migrations
	sed 's/^always_true = \["BUILTIN_TASKS"\]$$/always_false = ["BUILTIN_TASKS"]/' pyproject.toml > $(VENV52)/mypy.toml
	grep -q '^always_false = \["BUILTIN_TASKS"\]$$' $(VENV52)/mypy.toml
	$(PY52) -m mypy --config-file $(VENV52)/mypy.toml --cache-dir $(VENV52)/.mypy_cache k8s_tasks operator/k8s_tasks_operator
	DJANGO_SETTINGS_MODULE=tests.settings $(PY52) -m django check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=tests.settings $(PY52) -m django makemigrations --check --dry-run k8s_tasks

demo: setup  ## local cluster + operator on SQLite, every example enqueued, shown live and verified
	$(PY) examples/demo/run_demo.py $(DEMO_ARGS)

bench: setup  ## benchmarks side by side with django-tasks-db, SQLite and PostgreSQL (~45 min: 5 repetitions, see bench/README.md)
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
	rm -rf $(VENV) $(VENV52) .tools .mypy_cache .ruff_cache .pytest_cache
