"""Exceptions recorded in TaskResult.errors by k8s-tasks.

The class paths (``k8s_tasks.exceptions.<Name>``) are stable: they are stored in the database as
``exception_class_path`` and resolved again by ``TaskError.exception_class``. The infrastructure classes are
recorded by the operator (or the runner, for SIGTERM) when the pod could not finish the task itself.
"""

from .compat import InvalidTask


class InvalidTaskArguments(InvalidTask, TypeError):
    """Arguments to enqueue() that do not round-trip through JSON exactly, or are over the payload limits
    (size, nesting, strings PostgreSQL refuses); nothing was stored."""


class InvalidTaskResult(TypeError):
    """The task's return value cannot be stored: not JSON, over MAX_RESULT_BYTES, nested too deeply, or
    holding strings PostgreSQL refuses. The task ran, so it fails with this and is not run again."""


class TaskCancelled(Exception):
    """The task was cancelled with k8s_tasks.cancel() before it finished."""


class InfrastructureFailure(Exception):
    """Base class: the task did not finish because of its pod, node or cluster, not its own code."""


class PodOOMKilled(InfrastructureFailure):
    """The container exceeded its memory limit and was killed (OOMKilled)."""


class PodDeadlineExceeded(InfrastructureFailure):
    """The Job ran longer than the queue's timeout (activeDeadlineSeconds)."""


class PodEvicted(InfrastructureFailure):
    """The kubelet evicted the pod (node pressure or the eviction API)."""


class PodPreempted(InfrastructureFailure):
    """The scheduler preempted the pod in favour of higher-priority pods."""


class NodeLost(InfrastructureFailure):
    """The node running the pod became unreachable or was deleted."""


class ImagePullFailed(InfrastructureFailure):
    """The container image could not be pulled (ErrImagePull / ImagePullBackOff)."""


class ContainerConfigError(InfrastructureFailure):
    """The container could not be created from its spec (missing Secret/ConfigMap, bad command)."""


class PodUnschedulable(InfrastructureFailure):
    """No node could run the pod within the queue's maximum pending time."""


class PodFailed(InfrastructureFailure):
    """The container exited non-zero without writing a result to the database."""


class PodTerminated(InfrastructureFailure):
    """The container received SIGTERM while running the task (pod deleted, node drained)."""


class JobVanished(InfrastructureFailure):
    """The task's Job was deleted before its result was written."""


class JobRejected(InfrastructureFailure):
    """The Kubernetes API refused the task's Job (an invalid manifest, a forbidden field); not retried."""


class SealedDatabaseAccess(RuntimeError):
    """Task code running sealed (an isolated queue) tried to use the database, which it does not have."""


class TaskNotFinished(Exception):
    """k8s_tasks.retry() of a task that is still READY or RUNNING: only a finished task is run again."""


class TaskAlreadyRetried(Exception):
    """k8s_tasks.retry() of a task that was already run again: run that newer task again instead.

    ``retried_as`` is the id of the task that runs it again.
    """

    def __init__(self, message: str, retried_as: str) -> None:
        super().__init__(message)
        self.retried_as = retried_as
