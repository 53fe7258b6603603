"""A case's fields and triage's evidence, laid out for the case page.

Triage points at evidence by field path and character offsets
(`what_happened`, `goods[0].code`, `parts[1].narrative`). The case page
shows each field of a body cut into runs at those offsets, so that the
evidence is marked where it was found, and each fired indicator with its
evidence in context. Everything here works on records already opened in
memory (reporting.casework.opening); nothing is read or written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Body members that say what the document is rather than what was reported.
_FRAME_KEYS = frozenset({"form", "format", "stage"})
# Characters of context shown either side of an indicator's evidence.
EVIDENCE_CONTEXT = 160


@dataclass(frozen=True)
class Segment:
    """A run of a field's text; `marked` runs are evidence a finding points at."""

    text: str
    marked: bool = False


@dataclass(frozen=True)
class ShownValue:
    """One value of a report field, split at the evidence offsets found in it."""

    path: str  # the triage path: "what_happened", "goods[0].code", "parts[1].narrative"
    name: str  # the member of a row ("code"), or "" for a plain value
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class ShownField:
    """A top-level field of a body: one row for a plain value, one per item of a list."""

    name: str
    rows: tuple[tuple[ShownValue, ...], ...]


@dataclass(frozen=True)
class ShownEvidence:
    path: str
    segments: tuple[Segment, ...]  # the evidence in its context, the evidence marked
    found: bool  # False: the span no longer matches the field (shown as recorded)


@dataclass(frozen=True)
class ShownIndicator:
    id: str
    title: str
    source: str
    category: str
    weight: int
    evidence: tuple[ShownEvidence, ...]


def field_texts(value: object, path: str) -> dict[str, str]:
    """Every string of a body by the path triage gives it (triage.extract.report_fields)."""
    out: dict[str, str] = {}
    if isinstance(value, str):
        out[path] = value
    elif isinstance(value, Mapping):
        for name, member in value.items():
            if isinstance(name, str):
                out.update(field_texts(member, f"{path}.{name}" if path else name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.update(field_texts(item, f"{path}[{index}]"))
    return out


def _evidence_list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def evidence_spans(findings: Mapping[str, Any] | None) -> dict[str, list[tuple[int, int]]]:
    """The fired indicators' evidence spans, by field path."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for indicator in _evidence_list((findings or {}).get("indicators")):
        for evidence in _evidence_list(indicator.get("evidence")):
            path, start, end = evidence.get("field"), evidence.get("start"), evidence.get("end")
            if isinstance(path, str) and isinstance(start, int) and isinstance(end, int):
                spans.setdefault(path, []).append((start, end))
    return spans


def split_at_spans(text: str, spans: Sequence[tuple[int, int]]) -> tuple[Segment, ...]:
    """`text` cut into plain and marked runs; overlapping spans merge, bad spans are ignored."""
    valid = sorted((s, e) for s, e in spans if 0 <= s < e <= len(text))
    merged: list[tuple[int, int]] = []
    for start, end in valid:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    segments: list[Segment] = []
    position = 0
    for start, end in merged:
        if start > position:
            segments.append(Segment(text[position:start]))
        segments.append(Segment(text[start:end], marked=True))
        position = end
    if position < len(text) or not segments:
        segments.append(Segment(text[position:]))
    return tuple(segments)


def _shown_value(
    value: object, path: str, name: str, spans: Mapping[str, list[tuple[int, int]]]
) -> ShownValue | None:
    if isinstance(value, bool):
        return ShownValue(path, name, (Segment("Yes" if value else "No"),))
    if isinstance(value, str):
        if not value.strip():
            return None
        return ShownValue(path, name, split_at_spans(value, spans.get(path, ())))
    if isinstance(value, int | float):
        return ShownValue(path, name, (Segment(str(value)),))
    return None


def shown_fields(
    body: Mapping[str, Any], prefix: str, spans: Mapping[str, list[tuple[int, int]]]
) -> tuple[ShownField, ...]:
    """A body's fields in their order, empty ones left out, evidence marked."""
    fields: list[ShownField] = []
    for name, value in body.items():
        if name in _FRAME_KEYS:
            continue
        path = f"{prefix}.{name}" if prefix else name
        rows: list[tuple[ShownValue, ...]] = []
        if isinstance(value, list):
            for index, item in enumerate(value):
                item_path = f"{path}[{index}]"
                if isinstance(item, Mapping):
                    row = [
                        shown
                        for member, member_value in item.items()
                        if (
                            shown := _shown_value(
                                member_value, f"{item_path}.{member}", str(member), spans
                            )
                        )
                        is not None
                    ]
                else:
                    single = _shown_value(item, item_path, "", spans)
                    row = [single] if single is not None else []
                if row:
                    rows.append(tuple(row))
        else:
            shown = _shown_value(value, path, "", spans)
            if shown is not None:
                rows.append((shown,))
        if rows:
            fields.append(ShownField(name, tuple(rows)))
    return tuple(fields)


def shown_indicators(
    findings: Mapping[str, Any] | None, texts: Mapping[str, str]
) -> tuple[ShownIndicator, ...]:
    shown: list[ShownIndicator] = []
    for indicator in _evidence_list((findings or {}).get("indicators")):
        weight = indicator.get("weight")
        shown.append(
            ShownIndicator(
                id=str(indicator.get("id", "")),
                title=str(indicator.get("title", "")),
                source=str(indicator.get("source", "")),
                category=str(indicator.get("category", "")),
                weight=weight if isinstance(weight, int) else 0,
                evidence=tuple(
                    _shown_evidence(evidence, texts)
                    for evidence in _evidence_list(indicator.get("evidence"))
                ),
            )
        )
    return tuple(shown)


def _shown_evidence(evidence: Mapping[str, Any], texts: Mapping[str, str]) -> ShownEvidence:
    path = str(evidence.get("field", ""))
    start, end = evidence.get("start"), evidence.get("end")
    recorded = str(evidence.get("text", ""))
    text = texts.get(path)
    if (
        text is None
        or not isinstance(start, int)
        or not isinstance(end, int)
        or text[start:end] != recorded
        or start >= end
    ):
        return ShownEvidence(path, (Segment(recorded, marked=True),), found=False)
    window_start = max(0, start - EVIDENCE_CONTEXT)
    window_end = min(len(text), end + EVIDENCE_CONTEXT)
    segments = [
        Segment(text[window_start:start]),
        Segment(text[start:end], marked=True),
        Segment(text[end:window_end]),
    ]
    if window_start > 0:
        segments.insert(0, Segment("…"))
    if window_end < len(text):
        segments.append(Segment("…"))
    return ShownEvidence(path, tuple(s for s in segments if s.text), found=True)
