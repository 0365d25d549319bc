"""--prune-after / K8S_TASKS_PRUNE_AFTER and --prune-seconds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from k8s_tasks_operator.config import parse_args


def test_off_unless_set() -> None:
    assert parse_args([], {}).prune_after is None


def test_flag_and_environment() -> None:
    config = parse_args([], {"K8S_TASKS_PRUNE_AFTER": "12h", "K8S_TASKS_PRUNE_SECONDS": "60"})
    assert (config.prune_after, config.prune_seconds) == (timedelta(hours=12), 60.0)
    assert parse_args(["--prune-after", "2w"], {"K8S_TASKS_PRUNE_AFTER": "1d"}).prune_after == timedelta(
        weeks=2
    )


@pytest.mark.parametrize(
    "args", [["--prune-after", "30"], ["--prune-after", "soon"], ["--prune-seconds", "0"]]
)
def test_bad_values_are_refused_saying_what_to_write(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(args, {})
    err = capsys.readouterr().err
    assert "--prune-" in err and ("e.g." in err or "not an age" in err), err
