"""Linux namespaces for a container process, made with util-linux ``unshare`` (the cluster runs as root):

- a private mount namespace in which the pod's volumes mounted under ``/var/run/secrets/`` (the
  ServiceAccount token's ``/var/run/secrets/kubernetes.io/serviceaccount``, read by
  ``kubernetes.config.load_incluster_config()`` and kopf at that fixed path) are bind-mounted read-only
  from the pod's sandbox, so every pod sees its own token there;
- for a pod whose NetworkPolicy denies all egress, a network namespace of its own, holding only a loopback
  that is down: nothing in or out.

``unshare`` execs the shell in the new namespaces, which execs the container's command: one process, the
same pid, so signals and the memory limit apply as before.
"""

import functools
import os
import shutil
import subprocess
from pathlib import Path

SECRETS_ROOT = "/var/run/secrets/"
_BIND = 'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2'


class SandboxUnavailable(Exception):
    """The namespaces a pod needs cannot be made here (no unshare, not root, no mount command)."""


@functools.cache
def _unshare() -> str:
    """The unshare binary if it can make mount and network namespaces here, else SandboxUnavailable."""
    found = shutil.which("unshare")
    if found is None:
        raise SandboxUnavailable("the unshare command (util-linux) is not installed")
    if os.geteuid() != 0:
        raise SandboxUnavailable("the cluster does not run as root, and unshare --net needs CAP_SYS_ADMIN")
    done = subprocess.run([found, "--mount", "--net", "--", "true"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SandboxUnavailable(f"unshare --mount --net failed here: {done.stderr.strip()}")
    return found


def available() -> str | None:
    """Why namespaces cannot be made here, or None if they can."""
    try:
        _unshare()
    except SandboxUnavailable as exc:
        return str(exc)
    return None


def secret_binds(mounts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(host directory, container path) of the mounts that must appear at their own path."""
    return [(host, path) for path, host in mounts if (path + "/").startswith(SECRETS_ROOT)]


def wrap(argv: list[str], binds: list[tuple[str, str]], isolate_network: bool) -> list[str]:
    """The command line that runs ``argv`` in the namespaces asked for; SandboxUnavailable if it cannot."""
    if not binds and not isolate_network:
        return argv
    unshare = _unshare()
    for _, path in binds:  # a bind mount needs its mount point; on the host it stays an empty directory
        Path(path).mkdir(parents=True, exist_ok=True)
    script = " && ".join([*([_BIND] * len(binds)), 'exec "$@"'])
    flags = ["--mount", "--propagation", "private"] if binds else []
    if isolate_network:
        flags.append("--net")
    pairs = [part for host, path in binds for part in (host, path)]
    return [unshare, *flags, "--", "/bin/sh", "-c", script, "sh", *pairs, *argv]
