"""Sanctions and denied-party lists in the database: import, status, load.

Each import of a list file is a new row of `screening_lists` (a *list
version*: source, version label, the file's SHA-256, entry count) with its
entries in `screening_entries`. Importing a file whose SHA-256 is already
recorded for that source changes nothing (`ImportResult.created` is False).
The *current* version of a source is its latest import (highest id);
`load_screener` builds a `triage.screening.Screener` from the current version
of every source, and `current_list_versions` names them, so a worker can tell
when a list changed and stored reports need screening again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reporting.audit.log import append_audit
from reporting.core import clock
from reporting.core.models import ScreeningEntry, ScreeningList
from triage.screening import (
    Alias,
    AliasQuality,
    EntryKind,
    Identifier,
    ListEntry,
    ParsedList,
    Screener,
    parse_list,
)

__all__ = [
    "CurrentScreener",
    "ImportResult",
    "ListVersion",
    "NoListsImported",
    "current_list_versions",
    "import_list_file",
    "list_versions",
    "load_current_screener",
    "load_screener",
    "store_list",
]


class NoListsImported(Exception):
    """No screening list has been imported into this instance."""

    def __init__(self) -> None:
        super().__init__("no screening list imported: run `vigil lists import PATH`")


@dataclass(frozen=True)
class ImportResult:
    list_id: int
    source: str
    version_label: str
    sha256: str
    entry_count: int
    created: bool  # False: this file was already imported, nothing changed
    parse_seconds: float = 0.0
    store_seconds: float = 0.0


@dataclass(frozen=True)
class ListVersion:
    list_id: int
    source: str
    version_label: str
    sha256: str
    imported_at: datetime
    entry_count: int
    current: bool


def _entry_row(list_id: int, entry: ListEntry) -> dict[str, object]:
    return {
        "list_id": list_id,
        "external_id": entry.entry_id,
        "kind": entry.kind,
        "primary_name": entry.primary_name,
        "aliases": [{"name": a.name, "quality": a.quality.value} for a in entry.aliases],
        "programs": list(entry.programs),
        "countries": list(entry.countries),
        "identifiers": [{"type": i.type, "value": i.value} for i in entry.identifiers],
        "remarks": entry.remarks or None,
    }


def _existing(session: Session, source: str, sha256: str) -> ScreeningList | None:
    return session.scalars(
        select(ScreeningList)
        .where(ScreeningList.source == source, ScreeningList.source_sha256 == sha256)
        .order_by(ScreeningList.id)
        .limit(1)
    ).first()


def _unchanged(found: ScreeningList) -> ImportResult:
    return ImportResult(
        found.id, found.source, found.version_label, found.source_sha256, found.entry_count, False
    )


def store_list(session: Session, parsed: ParsedList) -> ImportResult:
    """Record `parsed` as a new version of its source and commit (a no-op if already there)."""
    found = _existing(session, parsed.source, parsed.sha256)
    if found is not None:
        return _unchanged(found)
    started = clock.monotonic()
    listed = ScreeningList(
        source=parsed.source,
        version_label=parsed.version_label,
        source_sha256=parsed.sha256,
        entry_count=len(parsed.entries),
    )
    session.add(listed)
    try:
        session.flush()
    except IntegrityError:
        # The same file imported at the same moment by another process.
        session.rollback()
        found = _existing(session, parsed.source, parsed.sha256)
        if found is None:
            raise
        return _unchanged(found)
    if parsed.entries:
        session.execute(
            insert(ScreeningEntry), [_entry_row(listed.id, entry) for entry in parsed.entries]
        )
    append_audit(
        session,
        actor_user_id=None,
        action="screening.import",
        target=f"list:{listed.id}",
        details={
            "source": parsed.source,
            "version": parsed.version_label,
            "sha256": parsed.sha256,
            "entries": len(parsed.entries),
        },
    )
    session.commit()
    return ImportResult(
        listed.id,
        parsed.source,
        parsed.version_label,
        parsed.sha256,
        len(parsed.entries),
        True,
        store_seconds=clock.monotonic() - started,
    )


def import_list_file(session: Session, path: Path) -> ImportResult:
    """Parse the list at `path` (format detected) and store it as a new version.

    Raises `triage.screening.ListFormatError` for a file that is not a list.
    """
    started = clock.monotonic()
    parsed = parse_list(path)
    parse_seconds = clock.monotonic() - started
    result = store_list(session, parsed)
    return ImportResult(
        result.list_id,
        result.source,
        result.version_label,
        result.sha256,
        result.entry_count,
        result.created,
        parse_seconds=parse_seconds,
        store_seconds=result.store_seconds,
    )


def _current_ids(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(ScreeningList.source, func.max(ScreeningList.id)).group_by(ScreeningList.source)
    ).all()
    return {source: list_id for source, list_id in rows}


def list_versions(session: Session) -> list[ListVersion]:
    """Every imported version, by source and newest first."""
    current = set(_current_ids(session).values())
    rows = session.scalars(
        select(ScreeningList).order_by(ScreeningList.source, ScreeningList.id.desc())
    ).all()
    return [
        ListVersion(
            row.id,
            row.source,
            row.version_label,
            row.source_sha256,
            row.imported_at,
            row.entry_count,
            row.id in current,
        )
        for row in rows
    ]


def current_list_versions(session: Session) -> dict[str, str]:
    """source -> version label of its current version (the same as `Screener.versions`)."""
    ids = _current_ids(session)
    if not ids:
        return {}
    rows = session.execute(
        select(ScreeningList.source, ScreeningList.version_label).where(
            ScreeningList.id.in_(ids.values())
        )
    ).all()
    return dict(sorted((source, label) for source, label in rows))


def _list_entry(
    external_id: str | None,
    kind: EntryKind,
    primary_name: str,
    aliases: list[dict[str, str]],
    programs: list[str],
    countries: list[str],
    identifiers: list[dict[str, str]],
    remarks: str | None,
) -> ListEntry:
    return ListEntry(
        entry_id=external_id or "",
        kind=kind,
        primary_name=primary_name,
        aliases=tuple(
            Alias(a["name"], AliasQuality(a.get("quality", "good"))) for a in aliases or []
        ),
        programs=tuple(programs or []),
        countries=tuple(countries or []),
        identifiers=tuple(Identifier(i["type"], i["value"]) for i in identifiers or []),
        remarks=remarks or "",
    )


def load_parsed_lists(session: Session) -> list[ParsedList]:
    """The current version of every source, as the importers gave it."""
    lists = []
    for source, list_id in sorted(_current_ids(session).items()):
        listed = session.get_one(ScreeningList, list_id)
        rows = session.execute(
            select(
                ScreeningEntry.external_id,
                ScreeningEntry.kind,
                ScreeningEntry.primary_name,
                ScreeningEntry.aliases,
                ScreeningEntry.programs,
                ScreeningEntry.countries,
                ScreeningEntry.identifiers,
                ScreeningEntry.remarks,
            )
            .where(ScreeningEntry.list_id == list_id)
            .order_by(ScreeningEntry.id)
        ).all()
        entries = tuple(_list_entry(*row) for row in rows)
        lists.append(ParsedList(source, listed.version_label, listed.source_sha256, entries))
    return lists


def load_screener(session: Session) -> Screener:
    """A Screener over the current version of every source; NoListsImported if there is none."""
    lists = load_parsed_lists(session)
    if not lists:
        raise NoListsImported
    return Screener(lists)


log = logging.getLogger("vigil.triage")


def load_current_screener(session: Session) -> Screener:
    """A screener over the current lists; with none imported, one that screens against none."""
    try:
        return load_screener(session)
    except NoListsImported:
        return Screener([])


class CurrentScreener:
    """A screener over the current lists, kept for the life of a process.

    Loading every list takes a second or more, so the screener is built once
    and rebuilt only when an import brings new versions, which costs one small
    query per use. With no list imported it screens against none and logs so
    once. Safe to share between threads.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._screener: Screener | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Screener:
        with self._lock, Session(self._engine) as session:
            if self._screener is None or self._screener.versions != current_list_versions(session):
                self._screener = load_current_screener(session)
                if not self._screener.versions:
                    log.warning("no screening lists imported: parties are not screened")
            return self._screener
