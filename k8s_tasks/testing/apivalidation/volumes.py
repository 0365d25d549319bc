"""Pod volumes as core validation checks them (ValidateVolumes, validateVolumeSource) for the sources the
local kubelet serves and a pod profile may name: emptyDir, hostPath, secret, configMap, downwardAPI,
projected, persistentVolumeClaim; any other source only counts as a source."""

from typing import Any

from .containers import object_field_selector, resource_field_selector
from .field import FieldError, duplicate, forbidden, invalid, not_supported, required
from .names import is_dns1123_label
from .quantity import QuantityError, quantity_of
from .security import local_descending_path

FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"
_SOURCES = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)
_HOST_PATH_TYPES = (
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
)
_VOLUME_FIELDS = (
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mode(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, int) and not 0 <= value <= 0o777:
        return [invalid(path, value, FILE_MODE)]
    return []


def local_non_reserved_path(target: str, path: str) -> list[FieldError]:
    errors = local_descending_path(target, path)
    if target.startswith("..") and not target.startswith("../"):
        errors.append(invalid(path, target, "must not start with '..'"))
    return errors


def _key_to_path(item: dict[str, Any], path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not item.get("key"):
        errors.append(required(f"{path}.key"))
    target = str(item.get("path") or "")
    if not target:
        errors.append(required(f"{path}.path"))
    errors += local_non_reserved_path(target, f"{path}.path")
    return errors + _mode(item.get("mode"), f"{path}.mode")


def _downward_file(item: dict[str, Any], path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    target = str(item.get("path") or "")
    if not target:
        errors.append(required(f"{path}.path"))
    errors += local_non_reserved_path(target, f"{path}.path")
    if isinstance(item.get("fieldRef"), dict):
        errors += object_field_selector(item["fieldRef"], _VOLUME_FIELDS, f"{path}.fieldRef")
        if item.get("resourceFieldRef") is not None:
            detail = "fieldRef and resourceFieldRef can not be specified simultaneously"
            errors.append(invalid(path, "resource", detail))
    elif isinstance(item.get("resourceFieldRef"), dict):
        errors += resource_field_selector(item["resourceFieldRef"], f"{path}.resourceFieldRef", volume=True)
    else:
        errors.append(required(path, "one of fieldRef and resourceFieldRef is required"))
    return errors + _mode(item.get("mode"), f"{path}.mode")


def _projected(source: dict[str, Any], path: str, pod_sa_set: bool = True) -> list[FieldError]:
    errors = _mode(source.get("defaultMode"), f"{path}.defaultMode")
    paths: set[str] = set()
    for i, entry in enumerate(source.get("sources") or []):
        entry, at = _dict(entry), f"{path}.sources[{i}]"
        count = 0
        for kind in ("secret", "configMap"):
            ref = entry.get(kind)
            if not isinstance(ref, dict):
                continue
            count += 1
            if not ref.get("name"):
                errors.append(required(f"{at}.{kind}.name"))
            for j, item in enumerate(ref.get("items") or []):
                errors += _key_to_path(_dict(item), f"{at}.{kind}.items[{j}]")
                target = str(_dict(item).get("path") or "")
                if target and target in paths:
                    errors.append(invalid(path, ref.get("name") or "", "conflicting duplicate paths"))
                paths.add(target)
        if isinstance(entry.get("downwardAPI"), dict):
            count += 1
            for item in entry["downwardAPI"].get("items") or []:
                errors += _downward_file(_dict(item), f"{at}.downwardAPI")
                target = str(_dict(item).get("path") or "")
                if target and target in paths:
                    errors.append(invalid(path, target, "conflicting duplicate paths"))
                paths.add(target)
        token = entry.get("serviceAccountToken")
        if isinstance(token, dict):
            count += 1
            seconds = token.get("expirationSeconds", 3600)
            if isinstance(seconds, int) and seconds < 600:
                at_seconds = f"{at}.serviceAccountToken.expirationSeconds"
                errors.append(invalid(at_seconds, seconds, "may not specify a duration less than 10 minutes"))
            if not token.get("path"):
                errors.append(required(f"{path}.path"))
            else:
                errors += local_non_reserved_path(str(token["path"]), f"{path}.path")
        if isinstance(entry.get("clusterTrustBundle"), dict):
            count += 1
        if count > 1:
            errors.append(forbidden(at, "may not specify more than 1 volume type per source"))
    return errors


def _source(volume: dict[str, Any], path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    count = 0
    for kind in _SOURCES:
        source = volume.get(kind)
        if source is None:
            continue
        at = f"{path}.{kind}"
        if count:
            errors.append(forbidden(at, "may not specify more than 1 volume type"))
            continue
        count += 1
        source = _dict(source)
        if kind == "emptyDir" and source.get("sizeLimit") is not None:
            try:
                negative = quantity_of(source["sizeLimit"]).value < 0
            except QuantityError:
                negative = False
            if negative:
                errors.append(
                    forbidden(f"{at}.sizeLimit", "SizeLimit field must be a valid resource quantity")
                )
        elif kind == "hostPath":
            if not source.get("path"):
                errors.append(required(f"{at}.path"))
            elif ".." in str(source["path"]).split("/"):
                errors.append(invalid(f"{at}.path", source["path"], "must not contain '..'"))
            if source.get("type") is not None and source["type"] not in _HOST_PATH_TYPES:
                errors.append(not_supported(f"{at}.type", source["type"], _HOST_PATH_TYPES))
        elif kind in ("secret", "configMap"):
            name_field = "secretName" if kind == "secret" else "name"
            if not source.get(name_field):
                errors.append(required(f"{at}.{name_field}"))
            errors += _mode(source.get("defaultMode"), f"{at}.defaultMode")
            for i, item in enumerate(source.get("items") or []):
                errors += _key_to_path(_dict(item), f"{at}.items[{i}]")
        elif kind == "downwardAPI":
            errors += _mode(source.get("defaultMode"), f"{at}.defaultMode")
            for item in source.get("items") or []:
                errors += _downward_file(_dict(item), at)
        elif kind == "projected":
            errors += _projected(source, at)
        elif kind == "persistentVolumeClaim" and not source.get("claimName"):
            errors.append(required(f"{at}.claimName"))
    if count == 0:
        errors.append(required(path, "must specify a volume type"))
    return errors


def volumes(values: Any, path: str) -> tuple[dict[str, Any], list[FieldError]]:
    """ValidateVolumes: (the valid volumes by name, the errors)."""
    valid: dict[str, Any] = {}
    errors: list[FieldError] = []
    for i, volume in enumerate(values or []):
        volume, at = _dict(volume), f"{path}[{i}]"
        name = str(volume.get("name") or "")
        found = _source(volume, at)
        if not name:
            found.append(required(f"{at}.name"))
        else:
            found += [invalid(f"{at}.name", name, m) for m in is_dns1123_label(name)]
        if name in valid:
            found.append(duplicate(f"{at}.name", name))
        if found:
            errors += found
        else:
            valid[name] = volume
    return valid, errors
