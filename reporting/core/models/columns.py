"""Column types and table helpers shared by every table of the models package.

Every time is an aware UTC datetime (`UtcDateTime` refuses naive ones), and
every time a reporter could be tied to is a whole hour (`HourDateTime`); see
the package docstring.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    DateTime,
    Dialect,
    Enum,
    Text,
    TypeDecorator,
    cast,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.operators import OperatorType

from reporting.core import clock

# ---------------------------------------------------------------- time types


def round_to_hour(moment: datetime) -> datetime:
    """The UTC hour `moment` falls in: 14:59:59 becomes 14:00:00."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: Vigil stores UTC times only; pass an aware datetime")
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def current_hour() -> datetime:
    return round_to_hour(clock.now())


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, always an aware datetime in UTC on the Python side.

    SQLite has no time zones, so it stores naive UTC text; PostgreSQL stores
    `timestamptz`. Either way the value read back is aware UTC, so times from
    both backends compare and hash alike (the audit chain relies on that).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: Vigil stores UTC times only; pass an aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class HourDateTime(UtcDateTime):
    """A UTC time that must be a whole hour: a reporter-side time.

    Writing an exact time raises, so a forgotten `round_to_hour` fails loudly
    in tests instead of silently recording when a reporter was online.
    """

    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value != round_to_hour(value):
            raise ValueError("reporter-side times must be rounded down to the hour")
        return super().process_bind_param(value, dialect)

    def coerce_compared_value(self, op: OperatorType | None, value: object) -> UtcDateTime:
        # Comparisons (received_hour < some cut-off) may use any time; only
        # values written to the column must be whole hours.
        return UtcDateTime()


# ---------------------------------------------------------------- table helpers


def enum_type(enum_class: type[StrEnum], name: str) -> Enum:
    """A portable enumeration: VARCHAR plus a CHECK constraint on both backends.

    The stored value is the member's value ("closed"), not its Python name.
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


def byte_length(column: str, size: int) -> CheckConstraint:
    """A CHECK that a fixed-size binary value has its size (length() counts bytes on both)."""
    return CheckConstraint(f"length({column}) = {size}", name=f"{column}_length")


def require_members(values: list[str], allowed: type[StrEnum], what: str) -> list[str]:
    unknown = sorted(set(values) - {member.value for member in allowed})
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)}")
    return list(values)


# A report's tag lists (categories, domains): JSON text on SQLite, jsonb on
# PostgreSQL, where json cannot be indexed and jsonb can (GIN, for `@>`).
JSON_LIST = JSON().with_variant(JSONB(), "postgresql")


def json_list_holds(
    column: InstrumentedAttribute[list[str]], value: str, dialect: str
) -> ColumnElement[bool]:
    """`value` is a member of the JSON list of strings in `column` (categories, domains).

    `dialect` is the database's dialect name. On PostgreSQL the lists are
    jsonb (migration 0006), and containment (`column @> '["finance"]'`) is
    what their GIN indexes serve. On SQLite, a LIKE on the JSON text with the
    quotes included: the vocabularies hold plain words, so '"finance"'
    matches that member and nothing else, and autoescape keeps the '_' in
    'end_use' literal. The case lists and the metrics' counts use it (reporting/metrics/counts.py):
    there `@>` tests each row's jsonb as stored, where a cast to text would
    serialise its lists once per value counted.
    """
    if dialect == "postgresql":
        return type_coerce(column, JSONB).contains([value])
    return cast(column, Text).contains(f'"{value}"', autoescape=True)
