"""The demo driver's decisions: verification of outcomes, the progress table, its configuration."""

import io
from pathlib import Path

import pytest
from demo_driver.config import child_env, parse_args
from demo_driver.plan import Expect, Outcome, Planned, contains, equals
from demo_driver.table import LiveTable, render
from demo_driver.verify import problems

from .conftest import EXAMPLE_NAMES


def planned(expect: Expect) -> Planned:
    return Planned("01-hello", "greet", "id-1", "default", expect)


def outcome(**fields: object) -> Outcome:
    values: dict[str, object] = {"status": "SUCCESSFUL", "attempt": 1, "reason": ""}
    values.update(fields)
    return Outcome(**values)  # type: ignore[arg-type]


def test_expected_success_has_no_problems() -> None:
    expect = Expect("SUCCESSFUL", pool="gpu", value=equals("cat", "label"))
    assert (
        problems(planned(expect), outcome(return_value={"label": "cat"}, node="gpu-1", node_pool="gpu")) == []
    )


def test_each_difference_is_named() -> None:
    expect = Expect(
        "FAILED", error="k8s_tasks.exceptions.TaskCancelled", pool="gpu", isolated=True, attempts=2
    )
    found = problems(planned(expect), outcome(node="general-1", node_pool="general"))
    assert found == [
        "01-hello greet (id-1): ended SUCCESSFUL (no reason), expected FAILED",
        "01-hello greet (id-1): last error is None, expected k8s_tasks.exceptions.TaskCancelled",
        "01-hello greet (id-1): took 1 attempt(s), expected 2",
        "01-hello greet (id-1): ran on node general-1 (pool general), expected pool gpu",
        "01-hello greet (id-1): pod lacks the label k8stasks.io/network=isolated",
    ]


def test_unfinished_and_missing_tasks_are_problems() -> None:
    expect = Expect("SUCCESSFUL")
    assert problems(planned(expect), None) == ["01-hello greet (id-1): its row is missing"]
    pending = outcome(status="READY", reason="0/3 nodes are available: 1 Insufficient nvidia.com/gpu")
    assert problems(planned(expect), pending) == [
        "01-hello greet (id-1): still READY at the deadline: "
        "0/3 nodes are available: 1 Insufficient nvidia.com/gpu"
    ]


def test_value_checks() -> None:
    assert contains("Hello")("Hello, you") is None
    assert contains("Hello")("Bye") == "return value is 'Bye', expected it to contain 'Hello'"
    assert equals("clean", "verdict")({"verdict": "infected"}) == (
        "return value['verdict'] is 'infected', expected 'clean'"
    )


def test_table_shows_status_node_and_reason() -> None:
    plan = [planned(Expect("SUCCESSFUL")), Planned("06-x", "slow", "id-2", "deadline", Expect("FAILED"))]
    outcomes = {
        "id-1": outcome(return_value="Hello", node="general-1"),
        "id-2": outcome(
            status="FAILED",
            reason="the Job ran longer than its timeout of 3s",
            errors=[{"exception_class_path": "k8s_tasks.exceptions.PodDeadlineExceeded", "traceback": ""}],
        ),
    }
    lines = render(plan, outcomes, width=160).splitlines()  # wide: DETAIL beside each row
    assert lines[0].split() == ["EXAMPLE", "TASK", "QUEUE", "STATUS", "TRY", "NODE", "DETAIL"]
    assert lines[1].split()[:6] == ["01-hello", "greet", "default", "SUCCESSFUL", "1", "general-1"]
    assert "PodDeadlineExceeded: the Job ran longer than its timeout of 3s" in lines[2]


def test_config_defaults_and_selection(tmp_path: Path) -> None:
    config = parse_args(["--example", "01-hello", "--workdir", str(tmp_path)], {"PATH": ""})
    assert config.examples == ("01-hello",)
    assert parse_args([], {"PATH": ""}).examples == tuple(EXAMPLE_NAMES)
    env = child_env(config, {"PATH": "/usr/bin", "PGHOST": "db"})
    assert env["K8S_DEMO_WORKDIR"] == str(tmp_path)
    assert env["KUBECONFIG"] == str(tmp_path / "kubeconfig")
    assert env["DJANGO_SETTINGS_MODULE"] == "demo_project.settings"
    assert env["K8S_TASKS_POD_ENV"] == "K8S_DEMO_WORKDIR,K8S_DEMO_DB,K8S_DEMO_DB_NAME,PGHOST"


def test_unknown_example_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--example", "07-nope"], {"PATH": ""})
    assert "invalid choice: '07-nope'" in capsys.readouterr().err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_live_table_prints_only_the_final_table_when_not_on_a_terminal() -> None:
    out = io.StringIO()
    live = LiveTable(out)
    live.show("A\nB")
    live.show("A\nC")
    assert out.getvalue() == ""
    live.show("A\nD", final=True)
    assert out.getvalue() == "A\nD\n"


def test_live_table_redraws_in_place_on_a_terminal() -> None:
    out = Terminal()
    live = LiveTable(out, columns=3)
    live.show("A\nB")
    live.show("A\nC")
    live.forget()
    live.show("Dwide")
    assert out.getvalue() == "A\nB\n\x1b[2F\x1b[JA\nC\nDwi\n"


def test_what_a_sealed_pod_saw_is_checked() -> None:
    from demo_driver.verify import sealed_view_problems

    sealed = {
        "credential_env": [],
        "task_files": ["task.json"],
        "database": "SealedDatabaseAccess: ...",
        "network": "OSError: Network is unreachable",
    }
    assert sealed_view_problems({"seen": sealed}) == []
    leaky = {**sealed, "credential_env": ["PGPASSWORD"], "network": "connected to 127.0.0.1:5432"}
    assert sealed_view_problems({"seen": leaky}) == [
        "the sealed pod saw credentials in its env: ['PGPASSWORD']",
        "the sealed pod saw the network: 'connected to 127.0.0.1:5432'",
    ]
