"""``python -m k8s_tasks logs ID [-f]``: a task's output. While its pod exists, its log from the Kubernetes
API (``-f`` follows it, and the next attempt's pod, until the task ends); once the pod is gone (the Job's
TTL, a cancel) or the cluster cannot be reached, the tail stored with the row when the task ended."""

from __future__ import annotations

import time
from typing import Any, TextIO

from .kubeview import ClusterUnavailable, connect, stream_log, task_pods
from .lookup import find_record
from .models import FINISHED, TaskRecord

POLL_SECONDS = 1.0
EXIT_OK, EXIT_NOTHING, EXIT_UNKNOWN = 0, 1, 2


def _started(pod: dict[str, Any]) -> bool:
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        state = status.get("state") or {}
        if "running" in state or "terminated" in state:
            return True
    return False


class LogPrinter:
    """Prints one task's log to ``out``; remembers which pods it has printed."""

    def __init__(self, result_id: str, out: TextIO, *, follow: bool, poll: float = POLL_SECONDS) -> None:
        self.result_id, self.out, self.follow, self.poll = result_id, out, follow, poll
        self.printed: set[str] = set()
        self.api: Any = None
        self.note = ""

    def _write(self, data: bytes) -> None:
        self.out.write(data.decode("utf-8", "replace"))
        self.out.flush()

    def _pods(self, record: TaskRecord) -> list[dict[str, Any]]:
        """The task's pods (every attempt's) whose container has started and that are not printed yet,
        oldest first; [] before its first dispatch, or without a cluster (noted once)."""
        if not record.job_namespace or self.api is False:
            return []
        try:
            if self.api is None:
                self.api = connect()
            pods = task_pods(self.api, record.job_namespace or "default", record.pk)
        except ClusterUnavailable as error:
            self.api, self.note = False, f"cluster not reachable ({error})"
            return []
        return [pod for pod in pods if _started(pod) and pod["metadata"]["name"] not in self.printed]

    def _print_pod(self, record: TaskRecord, pod: dict[str, Any]) -> bool:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        name = pod["metadata"]["name"]
        if self.printed:  # the task's next pod (a retry): say where its log starts
            attempt = (pod["metadata"].get("annotations") or {}).get("k8stasks.io/attempt", "?")
            self.out.write(f"--- attempt {attempt}: pod {name} ---\n")
        try:
            for chunk in stream_log(self.api, record.job_namespace or "default", name, follow=self.follow):
                self._write(chunk)
        except ApiException as error:  # gone meanwhile, or not started after all
            if error.status not in (400, 404):
                raise
            return False
        except HTTPError as error:  # the stream broke (or stayed silent past its read timeout)
            self.out.write(f"\n--- the log stream of pod {name} broke: {error} ---\n")
        self.printed.add(name)
        return True

    def _stored(self, record: TaskRecord) -> int:
        record.refresh_from_db(fields=["log_tail", "status", "reason"])
        if not record.log_tail:
            why = "it has not ended yet" if record.status not in FINISHED else "none was kept"
            self.out.write(f"--- task {record.pk}: no stored log tail ({why}) ---\n")
            return EXIT_NOTHING
        size = len(record.log_tail.encode())
        self.out.write(
            f"--- task {record.pk}: the last {size} bytes of its output, stored when it ended ---\n"
        )
        self.out.write(record.log_tail if record.log_tail.endswith("\n") else record.log_tail + "\n")
        return EXIT_OK

    def run(self) -> int:
        record = find_record(self.result_id)
        while True:
            printed = False
            for pod in self._pods(record):  # in order: what an attempt wrote before the next one's
                printed = self._print_pod(record, pod) or printed
            if not self.follow:
                return EXIT_OK if printed or self.printed else self._explain(record)
            record.refresh_from_db()
            if record.status in FINISHED and not printed:
                end = f"--- task {record.pk} is {record.status}"
                if self.printed:  # its log was followed: no need to print its stored tail again
                    self.out.write(f"{end}{': ' + record.reason if record.reason else ''} ---\n")
                    return EXIT_OK
                code = self._explain(record)
                self.out.write(f"{end} ---\n")
                return code
            if not printed:
                time.sleep(self.poll)

    def _explain(self, record: TaskRecord) -> int:
        if self.note:
            self.out.write(f"--- task {record.pk}: {self.note} ---\n")
        return self._stored(record)


def logs_command(result_id: str, out: TextIO, *, follow: bool = False) -> int:
    """Print the task's log; 0 when something was printed, 1 when there is nothing to print yet, 2 for an
    unknown id."""
    from .compat import TaskResultDoesNotExist

    printer = LogPrinter(result_id, out, follow=follow)
    try:
        return printer.run()
    except TaskResultDoesNotExist:
        out.write(f"{result_id}: no such task\n")
        return EXIT_UNKNOWN
    finally:
        if printer.api:
            printer.api.close()
