"""The TaskQueue spec as pydantic models: types, structure and defaults.

Fields are snake_case in Python and camelCase in the custom resource (``timeout_seconds`` is
``timeoutSeconds``). Unknown fields are rejected everywhere (extra="forbid"). Rules that span several
fields (requests <= limits, secrets only by reference, reserved names) live in checks.py.

Defaults, chosen deliberately:
- concurrency 1: a queue never floods the cluster by surprise (a GPU queue with one GPU node wants 1);
  raise it per queue. 0 pauses the queue: nothing new is dispatched.
- timeoutSeconds unset: no deadline, as with django.tasks (a training run may take hours). Set it per queue.
- maxPendingSeconds 600: long enough for a cluster autoscaler to add a node, short enough that a
  misspelt nodeSelector surfaces as a failed task with the scheduler's message.
- retries.attempts 1: a task that raises is not retried, as django.tasks expects.
- retries.infrastructureAttempts 3: an attempt lost to eviction, preemption or node loss is re-run up to
  3 times in total per task, without spending the task's own attempts.
- ttlSecondsAfterFinished 3600: finished Jobs stay an hour for ``kubectl logs`` / ``describe``.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .types import (
    AbsolutePath,
    DnsLabel,
    DnsSubdomain,
    EnvName,
    LabelKey,
    LabelValue,
    Quantity,
    ResourceName,
)

DEFAULT_COMMAND = ("python", "-m", "k8s_tasks")


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True, strict=False
    )


class RetryPolicy(Model):
    """Task-failure retries (attempts, backoff) and, bounded separately, infrastructure retries."""

    attempts: int = Field(default=1, ge=1, le=100)
    backoff_seconds: float = Field(default=10.0, ge=0)
    backoff_factor: float = Field(default=2.0, ge=1)
    max_backoff_seconds: float = Field(default=600.0, ge=0)
    jitter: float = Field(default=0.1, ge=0, le=1)
    infrastructure_attempts: int = Field(default=3, ge=0, le=100)


class Resources(Model):
    requests: dict[ResourceName, Quantity] = Field(default_factory=dict)
    limits: dict[ResourceName, Quantity] = Field(default_factory=dict)


class Toleration(Model):
    key: LabelKey | None = None
    operator: Literal["Exists", "Equal"] = "Equal"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = None


class KeyRef(Model):
    name: DnsSubdomain
    key: str = Field(min_length=1)
    optional: bool | None = None


class FieldRef(Model):
    field_path: str = Field(min_length=1)
    api_version: str | None = None


class ResourceFieldRef(Model):
    resource: str = Field(min_length=1)
    container_name: str | None = None
    divisor: Quantity | None = None


class EnvVarSource(Model):
    secret_key_ref: KeyRef | None = None
    config_map_key_ref: KeyRef | None = None
    field_ref: FieldRef | None = None
    resource_field_ref: ResourceFieldRef | None = None


class EnvVar(Model):
    name: EnvName
    value: str | None = None
    value_from: EnvVarSource | None = None


class NameRef(Model):
    name: DnsSubdomain
    optional: bool | None = None


class EnvFromSource(Model):
    prefix: str | None = None
    secret_ref: NameRef | None = None
    config_map_ref: NameRef | None = None


class ScratchVolume(Model):
    """An emptyDir mounted read-write in the task container (the root filesystem is read-only)."""

    name: DnsLabel
    mount_path: AbsolutePath
    size_limit: Quantity | None = None
    medium: Literal["", "Memory"] = ""


class QueueSpec(Model):
    """``spec`` of a TaskQueue, exactly as a person writes it."""

    queue_name: LabelValue | None = None
    concurrency: int = Field(default=1, ge=0, le=10_000)
    image: str | None = Field(default=None, min_length=1)
    command: list[str] | None = Field(default=None, min_length=1)
    node_selector: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    affinity: dict[Literal["nodeAffinity", "podAffinity", "podAntiAffinity"], dict[str, Any]] | None = None
    tolerations: list[Toleration] = Field(default_factory=list)
    resources: Resources = Field(default_factory=Resources)
    env: list[EnvVar] = Field(default_factory=list)
    env_from: list[EnvFromSource] = Field(default_factory=list)
    service_account_name: DnsSubdomain | None = None
    network: Literal["default", "isolated"] = "default"
    timeout_seconds: int | None = Field(default=None, ge=1)
    max_pending_seconds: int | None = Field(default=600, ge=1)
    retries: RetryPolicy = Field(default_factory=RetryPolicy)
    ttl_seconds_after_finished: int | None = Field(default=3600, ge=0)
    priority_class_name: DnsSubdomain | None = None
    runtime_class_name: DnsSubdomain | None = None
    volumes: list[ScratchVolume] = Field(default_factory=list)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    annotations: dict[LabelKey, str] = Field(default_factory=dict)
    pod_template: dict[Literal["metadata", "spec"], dict[str, Any]] | None = None


class QueueProfile(QueueSpec):
    """A validated TaskQueue: its spec plus the object name; ``queue_name`` is always set."""

    name: str
    queue_name: str  # type: ignore[assignment]  # always filled in (defaults to the object name)

    @property
    def container_command(self) -> list[str]:
        return list(self.command or DEFAULT_COMMAND)

    @property
    def gpus(self) -> str:
        """GPUs per task (any ``*/gpu`` extended resource, limits first), "0" if none."""
        for source in (self.resources.limits, self.resources.requests):
            for key, value in sorted(source.items()):
                if key.endswith("/gpu"):
                    return str(value)
        return "0"

    @property
    def pool(self) -> str:
        """The node pool, for ``kubectl get taskqueues``: the nodeSelector as k=v,k=v, or "any"."""
        return ",".join(f"{k}={v}" for k, v in sorted(self.node_selector.items())) or "any"
