"""Field types of a queue profile: pydantic-annotated strings and numbers with Kubernetes' rules.

Each validator raises a PydanticCustomError whose type names the rule (see errors.py, which turns it into
a message with the field path, the value and a hint).
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from . import labels
from .quantity import parse_quantity


def reject(kind: str, reason: str, hint: str = "") -> PydanticCustomError:
    return PydanticCustomError(kind, "{reason}", {"reason": reason, "hint": hint})


def _quantity(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise reject("quantity", "is not a Kubernetes quantity")
    try:
        parse_quantity(value)
    except ValueError:
        raise reject("quantity", "is not a Kubernetes quantity") from None
    return value


def _resource_name(value: str) -> str:
    standard = {"cpu", "memory", "ephemeral-storage"}
    if value in standard or value.startswith("hugepages-"):
        return value
    if "/" not in value:
        raise reject(
            "resource_name",
            "is not a resource name",
            "use cpu, memory, ephemeral-storage, hugepages-<size>, or a domain-qualified extended resource "
            "such as nvidia.com/gpu",
        )
    if labels.label_key_problem(value) is not None:
        raise reject("resource_name", "is not a valid extended resource name", "use e.g. nvidia.com/gpu")
    return value


def _label_key(value: str) -> str:
    problem = labels.label_key_problem(value)
    if problem is not None:
        raise reject("label_key", f"is not a valid label or annotation key: {problem}", "e.g. team/owner")
    return value


def _label_value(value: str) -> str:
    if not labels.is_label_value(value):
        raise reject(
            "label_value",
            "is not a valid label value",
            "at most 63 characters [-_.A-Za-z0-9], starting and ending with a letter or digit",
        )
    return value


def _dns_subdomain(value: str) -> str:
    if not labels.is_dns_subdomain(value):
        raise reject(
            "dns_name", "is not a valid Kubernetes name", "use lower-case letters, digits, '-' and '.'"
        )
    return value


def _dns_label(value: str) -> str:
    if not labels.is_dns_label(value):
        raise reject(
            "dns_label",
            "is not a valid name",
            "use at most 63 lower-case letters, digits and '-', e.g. scratch",
        )
    return value


def _absolute_path(value: str) -> str:
    if not value.startswith("/") or ":" in value or "/../" in f"{value}/":
        raise reject("path", "is not an absolute path", "use e.g. /scratch")
    return value


def _env_name(value: str) -> str:
    if not value or "=" in value or not value.isprintable():
        raise reject("env_name", "is not a valid environment variable name", "use e.g. DATABASE_HOST")
    return value


Quantity = Annotated[str | int | float, BeforeValidator(_quantity)]
ResourceName = Annotated[str, AfterValidator(_resource_name)]
LabelKey = Annotated[str, AfterValidator(_label_key)]
LabelValue = Annotated[str, AfterValidator(_label_value)]
DnsSubdomain = Annotated[str, AfterValidator(_dns_subdomain)]
DnsLabel = Annotated[str, AfterValidator(_dns_label)]
AbsolutePath = Annotated[str, AfterValidator(_absolute_path)]
EnvName = Annotated[str, AfterValidator(_env_name)]
