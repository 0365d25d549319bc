"""A pod's volumes as the kubelet sets them up: secret, configMap, downwardAPI, projected and emptyDir.

The local kubelet runs containers as processes on this machine, with no mount namespace: each volume
is a directory of the pod's sandbox (`<workdir>/pods/<namespace>/<pod>/volumes/<volume>`), and a
container finds a content volume (secret, configMap, downwardAPI, projected) through its env and
command line: a value that is a volumeMount's mountPath, or a path under it, is rewritten to the
volume's directory. An emptyDir is a plain directory and rewrites nothing (a pod's `/tmp` emptyDir
leaves `/tmp` as it is). Other volume kinds (persistentVolumeClaim, hostPath, ...) mount nothing.

As on a real node, every volume is set up before any container starts; a missing Secret or ConfigMap
(not optional) or key keeps the pod in ContainerCreating with a FailedMount event, retried until it
appears. Files get the volume's defaultMode (0644) or the item's mode.
"""

import base64
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .env import ConfigError, Lookup, field_value, resource_value

Files = dict[str, tuple[bytes, int]]  # relative path -> (content, mode)
Minter = Callable[[dict[str, Any], dict[str, Any]], bytes]  # (pod, serviceAccountToken source) -> token
DEFAULT_MODE = 0o644
CONTENT_KINDS = ("secret", "configMap", "downwardAPI", "projected")


class MountError(Exception):
    """MountVolume.SetUp failed: the pod waits in ContainerCreating."""


def _object_data(lookup: Lookup, kind: str, name: str) -> dict[str, bytes] | None:
    obj = lookup(kind, name)
    if obj is None:
        return None
    if kind == "Secret":
        data = {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
        data.update({k: str(v).encode() for k, v in (obj.get("stringData") or {}).items()})
        return data
    data = {k: str(v).encode() for k, v in (obj.get("data") or {}).items()}
    data.update({k: base64.b64decode(v) for k, v in (obj.get("binaryData") or {}).items()})
    return data


def _keyed(
    lookup: Lookup, kind: str, source: dict[str, Any], name_field: str, volume: str, default_mode: int
) -> Files:
    name = str(source.get(name_field) or "")
    data = _object_data(lookup, kind, name)
    optional = bool(source.get("optional"))
    if data is None:
        if optional:
            return {}
        raise MountError(
            f'MountVolume.SetUp failed for volume "{volume}" : {kind.lower()} "{name}" not found'
        )
    items = source.get("items")
    if not items:
        return {key: (value, default_mode) for key, value in data.items()}
    files: Files = {}
    for item in items:
        key = str(item.get("key", ""))
        if key not in data:
            if optional:
                continue
            problem = (
                f"references non-existent secret key: {key}"
                if kind == "Secret"
                else f"configmap references non-existent config key: {key}"
            )
            raise MountError(f'MountVolume.SetUp failed for volume "{volume}" : {problem}')
        files[str(item.get("path") or key)] = (data[key], int(item.get("mode") or default_mode))
    return files


def _map_text(values: dict[str, Any]) -> str:
    return "\n".join(f"{key}={_quote(str(values[key]))}" for key in sorted(values))


def _quote(text: str) -> str:
    """Go's strconv.Quote for the common case (the kubelet writes labels and annotations with %q)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _downward(pod: dict[str, Any], source: dict[str, Any], volume: str, default_mode: int) -> Files:
    files: Files = {}
    containers = {c["name"]: c for c in (pod.get("spec") or {}).get("containers") or []}
    for item in source.get("items") or []:
        mode = int(item.get("mode") or default_mode)
        if "fieldRef" in item:
            path = str(item["fieldRef"].get("fieldPath", ""))
            if path in ("metadata.labels", "metadata.annotations"):
                text = _map_text(pod["metadata"].get(path.split(".")[1]) or {})
            else:
                try:
                    text = field_value(pod, path)
                except ConfigError as exc:
                    raise MountError(f'MountVolume.SetUp failed for volume "{volume}" : {exc}') from exc
        elif "resourceFieldRef" in item:
            ref = item["resourceFieldRef"]
            container = containers.get(str(ref.get("containerName") or ""), {})
            text = resource_value(container, ref)
        else:
            continue
        files[str(item.get("path", ""))] = (text.encode(), mode)
    return files


def volume_files(
    pod: dict[str, Any], volume: dict[str, Any], lookup: Lookup, mint: Minter | None = None
) -> Files | None:
    """The files of a content volume, or None for a volume that is only a directory (or nothing)."""
    name = str(volume.get("name", ""))
    if "secret" in volume:
        source = volume["secret"]
        return _keyed(
            lookup, "Secret", source, "secretName", name, int(source.get("defaultMode") or DEFAULT_MODE)
        )
    if "configMap" in volume:
        source = volume["configMap"]
        return _keyed(
            lookup, "ConfigMap", source, "name", name, int(source.get("defaultMode") or DEFAULT_MODE)
        )
    if "downwardAPI" in volume:
        source = volume["downwardAPI"]
        return _downward(pod, source, name, int(source.get("defaultMode") or DEFAULT_MODE))
    if "projected" in volume:
        return _projected(pod, volume["projected"], name, lookup, mint)
    return None


def _projected(
    pod: dict[str, Any], source: dict[str, Any], volume: str, lookup: Lookup, mint: Minter | None
) -> Files:
    mode = int(source.get("defaultMode") or DEFAULT_MODE)
    files: Files = {}
    for projection in source.get("sources") or []:
        if "secret" in projection:
            files.update(_keyed(lookup, "Secret", projection["secret"], "name", volume, mode))
        elif "configMap" in projection:
            files.update(_keyed(lookup, "ConfigMap", projection["configMap"], "name", volume, mode))
        elif "downwardAPI" in projection:
            files.update(_downward(pod, projection["downwardAPI"], volume, mode))
        elif "serviceAccountToken" in projection and mint is not None:
            token_source = projection["serviceAccountToken"]
            try:
                token = mint(pod, token_source)
            except LookupError as exc:
                raise MountError(
                    f'MountVolume.SetUp failed for volume "{volume}" : failed to fetch token: {exc}'
                ) from None
            files[str(token_source.get("path") or "token")] = (token, mode)
        # clusterTrustBundle, podCertificate: not served by this cluster
    return files


def has_content(pod: dict[str, Any]) -> bool:
    return any(k in v for v in (pod.get("spec") or {}).get("volumes") or [] for k in CONTENT_KINDS)


def set_up(pod: dict[str, Any], lookup: Lookup, root: Path | None, mint: Minter | None = None) -> None:
    """Set every volume up under root (None: only check that their sources exist); MountError if not.
    ``mint`` makes a projected ServiceAccount token (None: no token file, as for the fake runtime)."""
    prepared: list[tuple[Path, Files | None]] = []
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        files = volume_files(pod, volume, lookup, mint if root is not None else None)
        if root is not None:
            prepared.append((root / str(volume["name"]), files))
    for directory, content in prepared:
        if content is not None and directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for rel, (data, mode) in (content or {}).items():
            target = directory / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            os.chmod(target, mode)


def mount_map(pod: dict[str, Any], container: dict[str, Any], root: Path) -> list[tuple[str, str]]:
    """(mountPath, host directory) of the container's content mounts, longest mountPath first."""
    content = {
        str(v.get("name"))
        for v in (pod.get("spec") or {}).get("volumes") or []
        if any(k in v for k in CONTENT_KINDS)
    }
    pairs = []
    for mount in container.get("volumeMounts") or []:
        if mount.get("name") in content and mount.get("mountPath"):
            host = root / str(mount["name"]) / str(mount.get("subPath") or "")
            pairs.append((str(mount["mountPath"]).rstrip("/") or "/", str(host).rstrip("/")))
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def rewrite(value: str, mounts: list[tuple[str, str]]) -> str:
    """The host path for a path the container would see under one of its mounts; others unchanged."""
    for mount_path, host in mounts:
        if value == mount_path or value.startswith(mount_path + "/"):
            return host + value[len(mount_path) :]
    return value
