"""Child process for the concurrency test: wait for the go signal, then enqueue N tasks one by one."""

import sys
import time
from pathlib import Path

import django


def main(count: int, go_file: str, tag: str) -> None:
    django.setup()
    from tests import tasks

    deadline = time.monotonic() + 60
    while not Path(go_file).exists():  # start together, so the INSERTs really overlap
        if time.monotonic() > deadline:
            raise SystemExit("no go signal within 60s")
        time.sleep(0.01)
    for i in range(count):
        tasks.echo.enqueue(tag, i)
    print(count)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
