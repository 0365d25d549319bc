"""The string formats of apimachinery's ``util/validation`` and ``api/validate/content`` (label keys and
values, DNS labels and subdomains, ConfigMap keys, environment variable names, ports, IDs), each returning
upstream's messages, and the name functions of ``api/validation`` (NameIsDNSSubdomain, ...)."""

import functools
import re
from collections.abc import Callable

NameFn = Callable[[str, bool], tuple[str, ...]]
Messages = tuple[str, ...]
_cached = functools.lru_cache(maxsize=8192)  # the same keys and names come back object after object

_LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_KEY_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
_LABEL_VALUE_FMT = f"({_LABEL_KEY_FMT})?"
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
    "must start and end with an alphanumeric character"
)
_DNS_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character"
)
_DNS_SUBDOMAIN_FMT = _DNS_LABEL_FMT + "(\\." + _DNS_LABEL_FMT + ")*"
_DNS_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    "must start and end with an alphanumeric character"
)
_DNS1035_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character"
)
_CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_ENV_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_MSG = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', "
    "and must not start with a digit"
)
_LABEL_KEY_RE = re.compile(f"^{_LABEL_KEY_FMT}$")
_LABEL_VALUE_RE = re.compile(f"^{_LABEL_VALUE_FMT}$")
_DNS_LABEL_RE = re.compile(f"^{_DNS_LABEL_FMT}$")
_DNS_SUBDOMAIN_RE = re.compile(f"^{_DNS_SUBDOMAIN_FMT}$")
_DNS1035_RE = re.compile(f"^{_DNS1035_FMT}$")
_CONFIG_KEY_RE = re.compile(f"^{_CONFIG_KEY_FMT}$")
_ENV_RE = re.compile(f"^{_ENV_FMT}$")
_PORT_NAME_CHARSET = re.compile("^[-a-z0-9]+$")
_PORT_NAME_LETTER = re.compile("[a-z]")
MAX_UINT32 = 0xFFFFFFFF


def max_len_error(length: int) -> str:
    return f"must be no more than {length} bytes"


def regex_error(message: str, fmt: str, *examples: str) -> str:
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def inclusive_range_error(low: int, high: int) -> str:
    return f"must be between {low} and {high}, inclusive"


@_cached
def is_dns1123_label(value: str) -> Messages:
    errors = [max_len_error(63)] if len(value) > 63 else []
    if not _DNS_LABEL_RE.match(value):
        if _DNS_SUBDOMAIN_RE.match(value):
            errors.append("must not contain dots")
        else:
            errors.append(regex_error(_DNS_LABEL_MSG, _DNS_LABEL_FMT, "my-name", "123-abc"))
    return tuple(errors)


@_cached
def is_dns1123_subdomain(value: str) -> Messages:
    errors = [max_len_error(253)] if len(value) > 253 else []
    if not _DNS_SUBDOMAIN_RE.match(value):
        errors.append(regex_error(_DNS_SUBDOMAIN_MSG, _DNS_SUBDOMAIN_FMT, "example.com"))
    return tuple(errors)


@_cached
def is_dns1035_label(value: str) -> Messages:
    errors = [max_len_error(63)] if len(value) > 63 else []
    if not _DNS1035_RE.match(value):
        errors.append(regex_error(_DNS1035_MSG, _DNS1035_FMT, "my-name", "abc-123"))
    return tuple(errors)


@_cached
def is_qualified_name(value: str) -> Messages:
    """IsQualifiedName / content.IsLabelKey: an optional DNS-subdomain prefix, '/', and a name."""
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return (
            "a valid label key "
            + regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        )
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part " + max_len_error(63))
    if not _LABEL_KEY_RE.match(name):
        errors.append(
            "name part " + regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        )
    return tuple(errors)


@_cached
def is_label_value(value: str) -> Messages:
    errors = [max_len_error(63)] if len(value) > 63 else []
    if not _LABEL_VALUE_RE.match(value):
        errors.append(regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return tuple(errors)


def _chdir_prefix(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


@_cached
def is_config_map_key(value: str) -> Messages:
    errors = [max_len_error(253)] if len(value) > 253 else []
    if not _CONFIG_KEY_RE.match(value):
        errors.append(regex_error(_CONFIG_KEY_MSG, _CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    return tuple(errors + _chdir_prefix(value))


@_cached
def is_env_var_name(value: str) -> Messages:
    errors = []
    if not _ENV_RE.match(value):
        errors.append(regex_error(_ENV_MSG, _ENV_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"))
    return tuple(errors + _chdir_prefix(value))


def is_valid_port_num(port: int) -> list[str]:
    return [] if 1 <= port <= 65535 else [inclusive_range_error(1, 65535)]


@_cached
def is_valid_port_name(port: str) -> Messages:
    errors = [max_len_error(15)] if len(port) > 15 else []
    if not _PORT_NAME_CHARSET.match(port):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(port):
        errors.append("must contain at least one letter (a-z)")
    if "--" in port:
        errors.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return tuple(errors)


def is_valid_id(value: int) -> list[str]:
    """IsValidUserID / IsValidGroupID: 0 to 2^32-1."""
    return [] if 0 <= value <= MAX_UINT32 else [inclusive_range_error(0, MAX_UINT32)]


def _mask_trailing_dash(name: str) -> str:
    return name[:-2] + "a" if name.endswith("-") else name


def name_is_dns_subdomain(name: str, prefix: bool) -> Messages:
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> Messages:
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name: str, prefix: bool) -> Messages:
    return is_dns1035_label(_mask_trailing_dash(name) if prefix else name)


def name_is_path_segment(name: str, prefix: bool) -> Messages:
    """path.IsValidPathSegmentName (ValidatePathSegmentName), the rule for RBAC object names."""
    errors = []
    if not prefix and name in (".", ".."):
        errors.append(f"may not be '{name}'")
    errors.extend(f"may not contain '{c}'" for c in ("/", "%") if c in name)
    return tuple(errors)
