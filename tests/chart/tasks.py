"""A task the install test runs through the chart-configured operator (task pods import it by path)."""

import os

from k8s_tasks.compat import task


@task()
def shout(word: str) -> dict[str, str]:
    """Returns the word upper-cased and which pod ran it."""
    return {"word": word.upper(), "pod": os.environ.get("POD_NAME", "")}
