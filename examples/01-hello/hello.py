"""01-hello: the smallest task, on the default queue.

Run it from a Django shell of the demo project (``python examples/demo/manage.py shell``)::

    from hello import greet
    result = greet.enqueue("Kubernetes")
    result.refresh(); result.status, result.return_value
"""

import asyncio
import os

from django.tasks import task


@task()
def greet(name: str) -> str:
    """Say hello from the pod and node the operator ran this task on."""
    pod = os.environ.get("POD_NAME", "no pod")
    node = os.environ.get("NODE_NAME", "")
    where = f"pod {pod}" + (f" on node {node}" if node else "")
    print(f"greeting {name} from {where}")  # shows up in `kubectl logs job/...`
    return f"Hello, {name}! (from {where})"


@task()
async def greet_async(name: str) -> str:
    """The same, as a coroutine: the runner awaits async tasks."""
    await asyncio.sleep(0)
    return f"Hello asynchronously, {name}!"
