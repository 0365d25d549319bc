"""The DefaultTolerationSeconds admission plugin: a pod that does not tolerate the NoExecute taints
node.kubernetes.io/not-ready and node.kubernetes.io/unreachable gets tolerations for 300 seconds."""

from typing import Any

TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
SECONDS = 300


def _tolerates(tolerations: list[Any], key: str) -> bool:
    return any(
        isinstance(t, dict) and t.get("key") in (key, None, "") and t.get("effect") in ("NoExecute", None, "")
        for t in tolerations
    )


def admit(pod: dict[str, Any]) -> None:
    spec = pod["spec"]
    tolerations = list(spec.get("tolerations") or [])
    for key in TAINTS:
        if not _tolerates(tolerations, key):
            tolerations.append(
                {"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": SECONDS}
            )
    spec["tolerations"] = tolerations
