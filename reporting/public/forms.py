"""The public site's forms and the report bodies they make (docs/report-format.md).

Each form renders server-side and works without JavaScript; with JavaScript
the page's script reads the same fields and builds the same body in the
browser. The body is the form field by field: the top-level names below are
its keys, repeatable entries are lists of objects with blank rows left out,
"one per line" fields are lists of the non-blank lines, text is trimmed. The
limits are the same on both paths: the browser enforces them through the
rendered `maxlength` attributes and the server through the validators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from reporting.core.errors import Translatable
from reporting.intake.pow import CHALLENGE_LIFETIME
from reporting.intake.report_fields import (
    CONFLICTS,
    DISCLOSURE_FIELDS,
    PARTY_ROLES,
    TIP_FIELDS,
)
from reporting.intake.uploads import MAX_PART_BYTES
from reporting.web.forms import VigilForm

BODY_FORMAT: Final = 1

# Limits in characters.
SHORT: Final = 200
MEDIUM: Final = 2_000
LONG: Final = 20_000
NARRATIVE: Final = 50_000
MAX_LIST_LINES: Final = 50
MAX_CONFLICT_LINES: Final = 20
# Blank rows rendered for repeatable entries, and the most the server takes
# (the script may add rows up to the maximum).
BLANK_ROWS: Final = 3
MAX_GOODS: Final = 30
MAX_PARTIES: Final = 30

# What the pages' script must know of the server's limits beyond what the
# fields render themselves (`maxlength`, `required`, `data-max-lines`, a
# list's `max_entries`): each form names them for its page, and
# templates/public/_forms.html writes them on the form element as data-*
# attributes, which static/js/src/public/ reads. The script repeats none.
REPORT_SCRIPT_LIMITS: Final[Mapping[str, int]] = {
    "max-part-bytes": MAX_PART_BYTES,
    "pow-lifetime-seconds": int(CHALLENGE_LIFETIME.total_seconds()),
}


def field_label(text: Translatable) -> LazyString:
    """A body field's label (intake/report_fields.py), translated when the form is drawn."""
    return _l(text.msgid)


PARTY_ROLE_CHOICES: Final = (
    SelectChoice("", _l("Choose a role")),
    *(SelectChoice(value, field_label(label)) for value, label in PARTY_ROLES.items()),
)


def _limit(size: int) -> list[Any]:
    return [Optional(), Length(max=size)]


class MaxLines:
    """At most `count` non-blank lines."""

    def __init__(self, count: int) -> None:
        self.count = count
        # Rendered as data-max-lines: the script checks the same limit and
        # reads the field as a list, as `_body` does.
        self.field_flags = {"max_lines": count}

    def __call__(self, form: Form, field: Field) -> None:
        if len(_lines(field)) > self.count:
            raise ValidationError(_l("Give at most %(count)d, one per line.", count=self.count))


# A plausible address, no more: the company's contact is checked by people.
EMAIL_PATTERN: Final = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class EmailAddress:
    """A plausible e-mail address (EMAIL_PATTERN)."""

    def __init__(self) -> None:
        self._pattern = Regexp(EMAIL_PATTERN, message=_l("Give a valid e-mail address."))
        # Rendered as data-email-pattern: the script checks the same pattern.
        self.field_flags = {"email_pattern": EMAIL_PATTERN}

    def __call__(self, form: Form, field: Field) -> None:
        self._pattern(form, field)


def text_of(field: Field) -> str:
    return str(field.data or "").strip()


def _lines(field: Field) -> list[str]:
    return [line.strip() for line in str(field.data or "").splitlines() if line.strip()]


def _rows(entries: FieldList) -> list[dict[str, str]]:
    rows = []
    for entry in entries:
        row = {name: text_of(field) for name, field in entry.form._fields.items()}
        if any(row.values()):
            rows.append(row)
    return rows


def body_of(form: Form, kind: str, names: tuple[str, ...]) -> dict[str, Any]:
    """The body of a report form: each named field by its kind."""
    body: dict[str, Any] = {"form": kind, "format": BODY_FORMAT}
    for name in names:
        field = form[name]
        if isinstance(field, FieldList):
            body[name] = _rows(field)
        elif isinstance(field, BooleanField):
            body[name] = bool(field.data)
        elif any(isinstance(v, MaxLines) for v in field.validators):
            body[name] = _lines(field)
        else:
            body[name] = text_of(field)
    return body


# ------------------------------------------------------------------ entries


class GoodsEntry(Form):  # type: ignore[misc]
    description = StringField(_l("Description"), validators=_limit(MEDIUM))
    code = StringField(_l("HS code or ECCN, if known"), validators=_limit(SHORT))
    quantity = StringField(_l("Quantity"), validators=_limit(SHORT))
    value = StringField(_l("Value and currency"), validators=_limit(SHORT))


class PartyEntry(Form):  # type: ignore[misc]
    name = StringField(_l("Name"), validators=_limit(SHORT))
    country = StringField(_l("Country"), validators=_limit(SHORT))
    role = SelectField(_l("Role"), choices=PARTY_ROLE_CHOICES, default="")


class ItemEntry(Form):  # type: ignore[misc]
    description = StringField(_l("Description"), validators=_limit(MEDIUM))
    eccn = StringField(_l("ECCN"), validators=_limit(SHORT))
    hs_code = StringField(_l("HS code"), validators=_limit(SHORT))
    quantity = StringField(_l("Quantity"), validators=_limit(SHORT))
    value = StringField(_l("Value and currency"), validators=_limit(SHORT))


class DisclosedPartyEntry(Form):  # type: ignore[misc]
    name = StringField(_l("Name"), validators=_limit(SHORT))
    address = StringField(_l("Address"), validators=_limit(MEDIUM))
    country = StringField(_l("Country"), validators=_limit(SHORT))
    role = SelectField(_l("Role"), choices=PARTY_ROLE_CHOICES, default="")


def _conflicts() -> TextAreaField:
    return TextAreaField(
        field_label(CONFLICTS),
        description=_l(
            "If someone working on such cases may be involved or close to those involved, "
            "give their names, one per line. They will be kept away from your report."
        ),
        validators=[Optional(), Length(max=MEDIUM), MaxLines(MAX_CONFLICT_LINES)],
    )


def attachments_field() -> MultipleFileField:
    return MultipleFileField(_l("Files"))


# ------------------------------------------------------------------ report forms


class TipForm(VigilForm):
    """An anonymous tip."""

    SCRIPT_LIMITS: ClassVar[Mapping[str, int]] = REPORT_SCRIPT_LIMITS

    what_happened = TextAreaField(
        field_label(TIP_FIELDS["what_happened"]),
        description=_l("Describe what you saw or know, in your own words."),
        validators=[DataRequired(_l("Tell us what happened.")), Length(max=LONG)],
    )
    goods = FieldList(
        FormField(GoodsEntry),
        field_label(TIP_FIELDS["goods"]),
        min_entries=BLANK_ROWS,
        max_entries=MAX_GOODS,
    )
    parties = FieldList(
        FormField(PartyEntry),
        field_label(TIP_FIELDS["parties"]),
        min_entries=BLANK_ROWS,
        max_entries=MAX_PARTIES,
    )
    route = TextAreaField(
        field_label(TIP_FIELDS["route"]),
        description=_l(
            "Where the goods came from, which countries or ports they went through, "
            "where they went."
        ),
        validators=_limit(MEDIUM),
    )
    dates = TextAreaField(
        field_label(TIP_FIELDS["dates"]),
        description=_l("Dates or periods, as precisely as you know them."),
        validators=_limit(MEDIUM),
    )
    payment = TextAreaField(
        field_label(TIP_FIELDS["payment"]),
        description=_l("How it was paid: banks, letters of credit, cash, third parties."),
        validators=_limit(MEDIUM),
    )
    how_known = TextAreaField(
        field_label(TIP_FIELDS["how_known"]),
        description=_l("For example: you handled the documents, you were told, you saw the goods."),
        validators=_limit(MEDIUM),
    )
    conflicts = _conflicts()
    attachments = attachments_field()

    BODY_FIELDS = tuple(TIP_FIELDS)

    def to_body(self) -> dict[str, Any]:
        return body_of(self, "tip", self.BODY_FIELDS)


class DisclosureForm(VigilForm):
    """A voluntary self-disclosure's initial notification (later stages: PartForm)."""

    SCRIPT_LIMITS: ClassVar[Mapping[str, int]] = REPORT_SCRIPT_LIMITS

    company = StringField(
        field_label(DISCLOSURE_FIELDS["company"]),
        validators=[DataRequired(_l("Name the company.")), Length(max=SHORT)],
    )
    company_address = TextAreaField(
        field_label(DISCLOSURE_FIELDS["company_address"]), validators=_limit(MEDIUM)
    )
    contact_name = StringField(
        field_label(DISCLOSURE_FIELDS["contact_name"]),
        validators=[DataRequired(_l("Name a contact person.")), Length(max=SHORT)],
    )
    contact_role = StringField(
        field_label(DISCLOSURE_FIELDS["contact_role"]), validators=_limit(SHORT)
    )
    contact_email = StringField(
        field_label(DISCLOSURE_FIELDS["contact_email"]),
        validators=[
            DataRequired(_l("Give an e-mail address.")),
            Length(max=254),
            EmailAddress(),
        ],
    )
    contact_phone = StringField(
        field_label(DISCLOSURE_FIELDS["contact_phone"]), validators=_limit(SHORT)
    )
    violation = TextAreaField(
        field_label(DISCLOSURE_FIELDS["violation"]),
        description=_l("What happened, which rules it broke, and how it was found."),
        validators=[DataRequired(_l("Describe the violation.")), Length(max=LONG)],
    )
    items = FieldList(
        FormField(ItemEntry),
        field_label(DISCLOSURE_FIELDS["items"]),
        min_entries=BLANK_ROWS,
        max_entries=MAX_GOODS,
    )
    licences = TextAreaField(
        field_label(DISCLOSURE_FIELDS["licences"]),
        description=_l("Export licences concerned, one per line."),
        validators=[Optional(), Length(max=MEDIUM), MaxLines(MAX_LIST_LINES)],
    )
    parties = FieldList(
        FormField(DisclosedPartyEntry),
        field_label(DISCLOSURE_FIELDS["parties"]),
        min_entries=BLANK_ROWS,
        max_entries=MAX_PARTIES,
    )
    dates = TextAreaField(
        field_label(DISCLOSURE_FIELDS["dates"]),
        description=_l("When the transactions took place."),
        validators=_limit(MEDIUM),
    )
    corrective_actions = TextAreaField(
        field_label(DISCLOSURE_FIELDS["corrective_actions"]),
        description=_l("What the company has done or will do so that it does not happen again."),
        validators=_limit(LONG),
    )
    conflicts = _conflicts()
    certified = BooleanField(
        field_label(DISCLOSURE_FIELDS["certified"]),
        validators=[DataRequired(_l("The notification must be certified."))],
    )
    attachments = attachments_field()

    BODY_FIELDS = tuple(DISCLOSURE_FIELDS)

    def to_body(self) -> dict[str, Any]:
        return {**body_of(self, "disclosure", self.BODY_FIELDS), "stage": "initial_notification"}
