"""SQL text for the bare-INSERT ceiling (bench.ceilings): a table's DDL copied under another name, index
definitions compared without their names, the INSERT. Pure."""

from __future__ import annotations

import re

INDEX_NAME_RE = re.compile(r'INDEX\s+(?:"[^"]+"|\S+)\s+ON\s+(?:"[^"]+"|\S+)', re.IGNORECASE)


def sqlite_copy(catalog: list[tuple[str, str, str]], table: str, new: str) -> list[str]:
    """sqlite_master's (type, name, sql) of `table` -> the same table and indexes named for `new`."""
    out = []
    for kind, name, sql in catalog:
        sql = sql.replace(f'"{table}"', f'"{new}"')
        if kind == "index":
            sql = sql.replace(f'"{name}"', f'"{new}__{name}"', 1)
        out.append(sql)
    return out


def index_shape(definition: str) -> str:
    """An index definition without its name and table: what must be equal for "the same index"."""
    return INDEX_NAME_RE.sub("INDEX ON", " ".join(definition.split()))


def insert_sql(table: str, names: list[str], placeholder: str) -> str:
    """A single-row INSERT of these columns, with the driver's placeholder (%s, ?)."""
    listed = ", ".join(f'"{name}"' for name in names)
    return f'INSERT INTO "{table}" ({listed}) VALUES ({", ".join([placeholder] * len(names))})'
