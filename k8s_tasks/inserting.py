"""A lean multi-row INSERT for one model: the SQL built from the model's fields, not by the ORM's compiler.

Why: on every enqueue, ``bulk_create`` ran Django's SQLInsertCompiler, which prepares every one of the
23 TaskRecord columns through its field for every row; that was most of the CPU of an enqueue (about
0.7 ms of 1.5 ms per single enqueue on SQLite, cProfile of bench/enqueue.py). Here the statement and the
values of fields left to a constant default are prepared once per (model, database, columns); the values
shared by the rows of one call and callable defaults once per call (``get_db_prep_save``, as the ORM
does); per row only the varying columns. The statement follows ``model._meta.concrete_fields``.

Statements (k8s-tasks supports SQLite and PostgreSQL):
- one row: ``INSERT INTO t (columns) VALUES (%s, ...)``, every column a parameter, as the ORM sends it;
- several rows on PostgreSQL: ``INSERT ... SELECT *, (%s)::type, ... FROM UNNEST((%s)::type[], ...)``, one
  array per varying column, as Django's own PostgreSQL bulk_create does (a VALUES list of 2,000 rows x 23
  placeholders spent 0.5 s in psycopg splitting the query);
- several rows on SQLite: ``INSERT ... SELECT column1, column2, column3, %s, ... FROM (VALUES (%s, %s, %s),
  ...)``: parameters only for the varying columns of each row (2,000 rows: 42 ms instead of 71 ms with all
  23 columns per row), in batches under SQLite's parameter limit, in one transaction if more than one.
tests/backend/test_inserting.py checks that every column equals what ``bulk_create`` stores.

Limits, checked: no field may set its value in pre_save (auto_now) or the database (db_default), need its
own placeholder, or have a type outside the backend's standard ones; none of ours do.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, cast

from django.db import connections, transaction
from django.db.models import NOT_PROVIDED, Field, Model


@dataclass(frozen=True)
class _Plan:
    """How to insert into one model on one database, given which fields vary and which are shared."""

    varying: tuple[Field[Any, Any], ...]
    shared: tuple[Field[Any, Any], ...]  # given per call, in the order of the call's ``shared`` names
    computed: tuple[Field[Any, Any], ...]  # callable defaults: called once per call
    constant: tuple[Any, ...]  # prepared values of the remaining fields' constant defaults (or None)
    one_row: str  # the statement for one row: varying values, then the others, as parameters
    several_head: str  # for several rows: INSERT ... SELECT ..., the others' parameters, FROM (source)
    unnest: bool  # PostgreSQL: the source is UNNEST of one array parameter per varying column


def _check(field: Field[Any, Any], connection: Any) -> None:
    if field.db_default is not NOT_PROVIDED:
        raise TypeError(f"{field} has a db_default; insert_rows passes every value")
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raise TypeError(f"{field} sets its value in pre_save (auto_now); insert_rows does not call it")
    if hasattr(field, "get_placeholder_sql") or hasattr(field, "get_placeholder"):
        raise TypeError(f"{field} needs its own SQL placeholder; insert_rows uses plain %s")
    if field.get_internal_type() not in connection.data_types:
        raise TypeError(f"{field} is not of a standard {connection.vendor} type; insert_rows cannot cast it")


def _cast(field: Field[Any, Any], connection: Any, suffix: str = "") -> str:
    """``(%s)::type`` with the type's parameters removed (varchar, not varchar(63)), as Django does."""
    return f"(%s)::{cast(str, field.db_type(connection)).split('(')[0]}{suffix}"


@functools.lru_cache(maxsize=64)
def _plan(
    model: type[Model], using: str, vendor: str, varying: tuple[str, ...], shared: tuple[str, ...]
) -> _Plan:
    """Cached per database alias and vendor: the SQL and the constant values depend on nothing else."""
    connection = connections[using]
    if vendor not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"insert_rows supports SQLite and PostgreSQL, not {vendor}")
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    unknown = set(varying + shared) - set(by_name)
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {', '.join(sorted(unknown))}")
    pk = model._meta.pk
    if pk is None or pk.attname not in varying:
        raise ValueError(f"insert_rows needs the primary key of {model.__name__} among the varying fields")
    rest = [field for name, field in by_name.items() if name not in varying and name not in shared]
    computed = [field for field in rest if field.has_default() and callable(field.default)]
    constant = [field for field in rest if field not in computed]
    fields = [*(by_name[name] for name in varying + shared), *computed, *constant]
    for field in fields:
        _check(field, connection)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    head = f"{connection.ops.insert_statement()} {quote(model._meta.db_table)} ({columns}) "
    others = fields[len(varying) :]
    if vendor == "postgresql":
        scalars = "".join(f", {_cast(field, connection)}" for field in others)
        arrays = ", ".join(_cast(by_name[name], connection, "[]") for name in varying)
        several_head = f"{head}SELECT *{scalars} FROM UNNEST({arrays})"
    else:  # SQLite names the columns of a VALUES list column1, column2, ...
        sources = ", ".join(f"column{n}" for n in range(1, len(varying) + 1))
        several_head = f"{head}SELECT {sources}{', %s' * len(others)} FROM (VALUES "
    return _Plan(
        varying=tuple(by_name[name] for name in varying),
        shared=tuple(by_name[name] for name in shared),
        computed=tuple(computed),
        constant=tuple(field.get_db_prep_save(field.get_default(), connection) for field in constant),
        one_row=f"{head}VALUES ({', '.join(['%s'] * len(fields))})",
        several_head=several_head,
        unnest=vendor == "postgresql",
    )


def insert_rows(
    using: str,
    model: type[Model],
    shared: Mapping[str, Any],
    varying: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """INSERT one row per item of ``rows`` into ``model``'s table on the database ``using``.

    ``varying`` names the fields (attnames) whose values each row gives, in that order; it must include the
    primary key. ``shared`` gives values for every row; every other field takes its default (a callable
    one is called once per call). One statement, except for many rows on SQLite (several statements under
    its parameter limit, in one transaction).
    """
    if not rows:
        return
    connection = connections[using]
    plan = _plan(model, using, connection.vendor, tuple(varying), tuple(shared))
    common = [field.get_db_prep_save(shared[field.attname], connection) for field in plan.shared]
    common.extend(field.get_db_prep_save(field.get_default(), connection) for field in plan.computed)
    common.extend(plan.constant)
    prepared = [
        [field.get_db_prep_save(value, connection) for field, value in zip(plan.varying, row, strict=True)]
        for row in rows
    ]
    if len(prepared) == 1:
        with connection.cursor() as cursor:
            cursor.execute(plan.one_row, [*prepared[0], *common])
    elif plan.unnest:
        arrays = map(list, zip(*prepared, strict=True))  # one array per varying column
        with connection.cursor() as cursor:
            cursor.execute(plan.several_head, [*common, *arrays])  # the scalars come first in the SQL
    else:
        _insert_values(connection, plan, common, prepared)


def _sqlite_parameter_limit(connection: Any) -> int:
    """This connection's limit of query parameters, as Django 6's max_query_params reads it (32766 by
    default, lowered by setlimit); Django 5.2's is a fixed 999, which would split batches 6 does not."""
    connection.ensure_connection()
    return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def _insert_values(connection: Any, plan: _Plan, common: list[Any], prepared: list[list[Any]]) -> None:
    """SQLite: the varying values as VALUES lists, as many rows per statement as its parameter limit lets."""
    width = len(plan.varying)
    batch = max(1, (_sqlite_parameter_limit(connection) - len(common)) // width)
    row_sql = f"({', '.join(['%s'] * width)})"
    with (
        transaction.atomic(using=connection.alias, savepoint=False)
        if len(prepared) > batch
        else nullcontext(),
        connection.cursor() as cursor,
    ):
        for start in range(0, len(prepared), batch):
            chunk = prepared[start : start + batch]
            sql = f"{plan.several_head}{', '.join([row_sql] * len(chunk))})"
            cursor.execute(sql, [*common, *(value for row in chunk for value in row)])
