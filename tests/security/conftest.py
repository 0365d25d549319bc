"""The security tests use the fault tests' fixtures: ledgers, and an operator each test starts itself."""

from tests.faults.conftest import fault_env, ledger, operator, signals  # noqa: F401 - fixtures
