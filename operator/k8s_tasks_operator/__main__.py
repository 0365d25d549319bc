"""`python -m k8s_tasks_operator [run] [--namespace NS] ...` runs the operator; `... crd` prints the CRDs
(`--help` on either says every option and its environment variable)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys


def crd_command(args: list[str]) -> int:
    """`crd [--help]`: the CRDs as YAML on stdout."""
    argparse.ArgumentParser(
        prog="python -m k8s_tasks_operator crd",
        description="Print the CustomResourceDefinitions (TaskQueue, TaskSchedule) as YAML, to install them "
        "without Helm: python -m k8s_tasks_operator crd | kubectl apply -f -",
    ).parse_args(args)
    from .crd import crd_yaml

    sys.stdout.write(crd_yaml())
    return 0


def describe_database(alias: str) -> str:
    """`alias` as the log names it: its engine and NAME (host and port when set), never a password."""
    from django.conf import settings

    db = settings.DATABASES.get(alias) or {}
    engine = str(db.get("ENGINE", "?")).rsplit(".", 1)[-1]
    where = ":".join(str(db[key]) for key in ("HOST", "PORT") if db.get(key))
    return f"{alias} ({engine} NAME={db.get('NAME')}{f' at {where}' if where else ''})"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["crd"]:
        return crd_command(args[1:])
    if args[:1] == ["run"]:
        args = args[1:]
    from .config import parse_args

    config = parse_args(args)
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        print("DJANGO_SETTINGS_MODULE is not set: set it to your project's settings module", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import django

    django.setup()
    import kopf
    from django.db.backends.signals import connection_created

    from .db import bound_sqlite_page_cache

    connection_created.connect(bound_sqlite_page_cache)
    from django.core.exceptions import ImproperlyConfigured

    from . import handlers
    from .served import resolve

    try:
        config, served = resolve(config)
    except ImproperlyConfigured as exc:
        print(f"k8s-tasks operator: {exc}", file=sys.stderr)
        return 2
    logging.getLogger("k8s_tasks_operator").info(
        "serving namespace %s (from %s); backends %s",
        config.namespace,
        config.namespace_source,
        ", ".join(f"{alias} on database {describe_database(db)}" for alias, db in served.backends.items()),
    )
    if config.pod_security != "restricted":
        logging.getLogger("k8s_tasks_operator").warning(
            "task pods are held to Pod Security %r, not 'restricted' (K8S_TASKS_POD_SECURITY / "
            "--pod-security): every TaskQueue's status shows it",
            config.pod_security,
        )
    pod_namespace = os.environ.get("POD_NAMESPACE")
    if pod_namespace and pod_namespace != config.namespace:
        logging.getLogger("k8s_tasks_operator").warning(
            "this pod runs in namespace %s but serves namespace %s (from %s): its Role must allow that",
            pod_namespace,
            config.namespace,
            config.namespace_source,
        )
    handlers.CONFIG, handlers.SERVED = config, served
    asyncio.run(
        kopf.operator(
            standalone=True,
            namespaces=[config.namespace],
            liveness_endpoint=config.liveness,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
