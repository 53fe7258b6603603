"""Portable SQL for the metrics: the same figures from SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Integer, String, case, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class MonthOf(FunctionElement[str]):
    """`YYYY-MM` of a UTC time column."""

    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(MonthOf)
def _month_of_sqlite(element: MonthOf, compiler: SQLCompiler, **kw: object) -> str:
    # SQLite stores UtcDateTime as naive UTC text ("2025-03-01 14:00:00.000000").
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(MonthOf, "postgresql")
def _month_of_postgresql(element: MonthOf, compiler: SQLCompiler, **kw: object) -> str:
    # timestamptz: convert to UTC explicitly, whatever the session's time zone.
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM')"


class HoursBetween(FunctionElement[int]):
    """Whole hours from the first time column to the second."""

    type = Integer()
    inherit_cache = True
    name = "hours_between"


@compiles(HoursBetween)
def _hours_between_sqlite(element: HoursBetween, compiler: SQLCompiler, **kw: object) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 24) AS INTEGER)"


@compiles(HoursBetween, "postgresql")
def _hours_between_postgresql(element: HoursBetween, compiler: SQLCompiler, **kw: object) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end}) - ({start})) / 3600) AS INTEGER)"


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
