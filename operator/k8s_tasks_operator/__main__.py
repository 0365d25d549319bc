"""`python -m k8s_tasks_operator [run] [--namespace NS] ...` runs the operator; `... crd` prints the CRD."""

from __future__ import annotations

import asyncio
import logging
import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["crd"]:
        from .crd import crd_yaml

        sys.stdout.write(crd_yaml())
        return 0
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

    from . import handlers

    handlers.CONFIG = config
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
