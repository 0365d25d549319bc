"""k8s-tasks' own rules for the final pod of a queue, at every Pod Security level ("privileged" too).

- No ServiceAccount token unless the queue names a ServiceAccount in ``spec.serviceAccountName``: the pod
  must keep ``automountServiceAccountToken: false`` (unset means mounted) and mount no projected
  serviceAccountToken. Only ``spec.serviceAccountName`` names one: a podTemplate ``serviceAccountName``
  or ``serviceAccount`` that differs from it is refused (it would run the pod as, say, the operator).
- The task container runs ``<command> run <its own task id>``: the podTemplate may not set its
  ``command`` or ``args`` (``spec.command`` changes the interpreter).
- No container of the podTemplate sets an environment variable k8s-tasks sets itself (checks.RESERVED_ENV,
  any ``K8S_TASKS_*``): the task's id, attempt and queue, the pod's name and namespace, the settings; nor
  an envFrom ``prefix`` that would make one (the keys of a Secret or ConfigMap are not known here).
- No env of any container (init and ephemeral included) holds a literal credential (checks.plain_secret).

``spec.env`` itself is checked by checks.check_env with the same rules.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from .checks import PREFIX_HINT, is_reserved_env, is_reserved_prefix, plain_secret_problem
from .errors import FieldProblem
from .job import CONTAINER
from .podpaths import CONTAINER_KINDS, ROOT, Item, find_origin, item_step, items, lookup, mapping, render
from .spec import QueueProfile

_SA_HINT = "name the ServiceAccount the tasks need in spec.serviceAccountName"


def _service_account(profile: QueueProfile, pod: Mapping[str, Any]) -> Iterator[FieldProblem]:
    for key in ("serviceAccountName", "serviceAccount"):
        value = pod.get(key)
        if value is not None and value != profile.service_account_name:
            yield FieldProblem(
                f"{ROOT}.spec.{key}",
                value,
                "names the pod's ServiceAccount in the podTemplate, which k8s-tasks does not count: only "
                f"spec.serviceAccountName names the queue's ServiceAccount "
                f"({profile.service_account_name or 'not set'})",
                f"remove it from the podTemplate and {_SA_HINT}",
            )


def _token(
    profile: QueueProfile, template: Mapping[str, Any], pod_template: Mapping[str, Any] | None
) -> Iterator[FieldProblem]:
    if profile.service_account_name is not None:
        return
    path = ("spec", "automountServiceAccountToken")
    final = lookup(template, path)
    if final is not False:
        where = find_origin(pod_template, path, final)
        field, value = (where.field, where.value) if where else (render(path), final)
        how = "mounts" if value is True else f"is {'null' if value is None else 'not set'}: Kubernetes mounts"
        yield FieldProblem(
            field,
            value,
            f"{how} a ServiceAccount token, but the queue names no ServiceAccount",
            f"remove it (k8s-tasks sets automountServiceAccountToken: false), or {_SA_HINT}",
            show_value=value is True,
        )
    spec = mapping(template.get("spec"))
    for v, volume in enumerate(items(spec.get("volumes"))):
        sources = items(mapping(mapping(volume).get("projected")).get("sources"))
        for s, source in enumerate(sources):
            if mapping(source).get("serviceAccountToken") is not None:
                where_path = ("spec", "volumes", item_step(volume, v), "projected", "sources", Item(s))
                yield FieldProblem(
                    render((*where_path, "serviceAccountToken")),
                    None,
                    "mounts a ServiceAccount token but the queue names no ServiceAccount",
                    f"remove it, or {_SA_HINT}",
                    show_value=False,
                )


def _runner(pod: Mapping[str, Any]) -> Iterator[FieldProblem]:
    for entry in items(pod.get("containers")):
        container = mapping(entry)
        if container.get("name") != CONTAINER:
            continue
        for key, what in (("command", "the runner's command"), ("args", "the runner's arguments")):
            if key in container:
                yield FieldProblem(
                    f"{ROOT}.spec.containers[{CONTAINER}].{key}",
                    container[key],
                    f"overrides {what}: the task container runs `<spec.command> run <its own task id>`",
                    "remove it from the podTemplate (spec.command sets the interpreter, e.g. "
                    "[/app/.venv/bin/python, -m, k8s_tasks]); a pod only ever runs its own task",
                )


def _env(pod: Mapping[str, Any]) -> Iterator[FieldProblem]:
    for kind in CONTAINER_KINDS:
        for c, entry in enumerate(items(pod.get(kind))):
            container = mapping(entry)
            where = render(("spec", kind, item_step(container, c)))
            for e, var in enumerate(items(container.get("env"))):
                name = mapping(var).get("name")
                if not isinstance(name, str):
                    continue
                path = f"{where}.env[{name}]" if name else f"{where}.env[{e}]"
                if is_reserved_env(name):
                    yield FieldProblem(
                        f"{path}.name",
                        name,
                        "is set by k8s-tasks itself",
                        "remove it from the podTemplate's env: k8s-tasks gives each pod its own task id, "
                        "attempt, queue, pod name and settings module (K8S_TASKS_* names are reserved)",
                    )
                secret = plain_secret_problem(path, name, mapping(var).get("value"))
                if secret is not None:
                    yield secret
            for e, source in enumerate(items(container.get("envFrom"))):
                prefix = mapping(source).get("prefix")
                if is_reserved_prefix(prefix):
                    yield FieldProblem(
                        f"{where}.envFrom[{e}].prefix",
                        prefix,
                        "can define names k8s-tasks sets itself",
                        PREFIX_HINT,
                    )


def check_pod_rules(
    profile: QueueProfile, template: Mapping[str, Any], pod_template: Mapping[str, Any] | None
) -> list[FieldProblem]:
    """Every breach of k8s-tasks' own rules by the final pod ``template`` of ``profile`` (metadata and
    spec, as build_job makes it), naming the TaskQueue field of ``pod_template`` that caused it."""
    pod = mapping((pod_template or {}).get("spec"))
    return [
        *_service_account(profile, pod),
        *_token(profile, template, pod_template),
        *_runner(pod),
        *_env(pod),
    ]
