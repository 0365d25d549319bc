"""The operator with a client-side rate limit on its Kubernetes API requests, as client-go applies one
(kube-controller-manager: --kube-api-qps 20, --kube-api-burst 30). The `kubernetes` client has no such
limit, so this wraps its REST client with a token bucket before running the unchanged operator.

    python -m bench.qps_operator --qps 20 [--burst 30] [operator arguments...]
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; take() blocks until one is available."""

    def __init__(self, rate: float, burst: int, clock: Any = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.stamp = float(burst), clock()
        self.lock = threading.Lock()

    def reserve(self) -> float:
        """Take a token (possibly going into debt); the seconds to wait before using it."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            self.tokens -= 1
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def take(self) -> None:
        wait = self.reserve()
        if wait > 0:
            time.sleep(wait)


def install(qps: float, burst: int) -> TokenBucket:
    from kubernetes.client import rest

    bucket = TokenBucket(qps, burst)
    original = rest.RESTClientObject.request

    def request(self: Any, *args: Any, **kwargs: Any) -> Any:
        bucket.take()
        return original(self, *args, **kwargs)

    rest.RESTClientObject.request = request  # type: ignore[method-assign]
    return bucket


def main() -> int:
    args = sys.argv[1:]
    qps, burst = 20.0, 30
    if args[:1] == ["--qps"]:
        qps, args = float(args[1]), args[2:]
    if args[:1] == ["--burst"]:
        burst, args = int(args[1]), args[2:]
    install(qps, burst)
    from k8s_tasks_operator.__main__ import main as operator_main

    return operator_main(args)


if __name__ == "__main__":
    sys.exit(main())
