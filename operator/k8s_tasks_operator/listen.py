"""PostgreSQL LISTEN: enqueues NOTIFY the channel, waking the dispatch loop at once (polling stays as the
fallback). On other databases this does nothing."""

from __future__ import annotations

import asyncio
import threading

from django.db import connection

from k8s_tasks.conf import NOTIFY_CHANNEL

from .runtime import Runtime, logger


def start_listener(
    rt: Runtime, loop: asyncio.AbstractEventLoop, stop: threading.Event
) -> threading.Thread | None:
    if connection.vendor != "postgresql":
        return None
    thread = threading.Thread(target=_listen, args=(rt, loop, stop), name="k8s-tasks-listen", daemon=True)
    thread.start()
    return thread


def _listen(rt: Runtime, loop: asyncio.AbstractEventLoop, stop: threading.Event) -> None:
    import psycopg

    params = connection.get_connection_params()
    while not stop.is_set():
        try:
            with psycopg.connect(**params, autocommit=True) as conn:
                conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                loop.call_soon_threadsafe(rt.poke)  # catch up on anything enqueued while not listening
                while not stop.is_set():
                    for _ in conn.notifies(timeout=1.0, stop_after=1):
                        loop.call_soon_threadsafe(rt.poke)
        except Exception:
            logger.exception("LISTEN connection lost; reconnecting (polling continues meanwhile)")
            stop.wait(1.0)
