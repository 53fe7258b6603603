"""The reporter's forms after the report: the receipt, a message, a disclosure's later stage.

Their fields' limits and labels are the report forms' (reporting/public/forms.py);
the case page's script builds the message and later-stage forms itself, so the
receipt form names the limits it needs (CASE_SCRIPT_LIMITS).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    Form,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from crypto import CryptoError, Receipt
from reporting.core.models import PartKind
from reporting.intake.report_fields import (
    LATER_STAGE_FIELDS,
    STAGE_KINDS,
    STAGE_LABELS,
    STAGE_NAMES,
)
from reporting.intake.uploads import MAX_PART_BYTES
from reporting.public.forms import (
    BODY_FORMAT,
    LONG,
    NARRATIVE,
    attachments_field,
    body_of,
    field_label,
    text_of,
)
from reporting.web.downloads import MAX_FILENAME
from reporting.web.forms import VigilForm

# The follow-up page's script builds the case's message and later-stage forms
# itself, and names the files it decrypts as the server's downloads do.
CASE_SCRIPT_LIMITS: Final[Mapping[str, int]] = {
    "max-part-bytes": MAX_PART_BYTES,
    "max-message-length": LONG,
    "max-narrative-length": NARRATIVE,
    "max-filename-length": MAX_FILENAME,
}

STAGES: Final = tuple(
    SelectChoice(name, field_label(STAGE_LABELS[kind])) for name, kind in STAGE_KINDS.items()
)


def _check_receipt(form: Form, field: Field) -> None:
    try:
        Receipt.parse(field.data or "")
    except CryptoError:
        raise ValidationError(
            _l(
                "This is not a receipt: a receipt has 24 letters and digits, such as "
                "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC."
            )
        ) from None


RECEIPT_VALIDATORS: Final = (
    DataRequired(_l("Enter your receipt.")),
    Length(max=64),
    _check_receipt,
)


class ReceiptForm(VigilForm):
    """Enter the receipt to open a case; the browser then holds it (reporting/public/held.py)."""

    SCRIPT_LIMITS: ClassVar[Mapping[str, int]] = CASE_SCRIPT_LIMITS

    receipt = StringField(_l("Your receipt"), validators=list(RECEIPT_VALIDATORS))

    def parsed_receipt(self) -> Receipt:
        return Receipt.parse(self.receipt.data)


class MessageForm(VigilForm):
    """A reporter's answer or further information, with files."""

    text = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(_l("Write a message.")), Length(max=LONG)],
    )
    attachments = attachments_field()

    def to_record(self) -> dict[str, Any]:
        return {"format": BODY_FORMAT, "author": "reporter", "text": text_of(self.text)}


class PartForm(VigilForm):
    """A later stage of a voluntary self-disclosure."""

    stage = SelectField(_l("Stage"), choices=STAGES, default=STAGE_NAMES[PartKind.SUPPLEMENT])
    narrative = TextAreaField(
        field_label(LATER_STAGE_FIELDS["narrative"]),
        validators=[DataRequired(_l("Write the narrative.")), Length(max=NARRATIVE)],
    )
    certified = BooleanField(
        field_label(LATER_STAGE_FIELDS["certified"]),
        validators=[DataRequired(_l("This stage must be certified."))],
    )
    attachments = attachments_field()

    def to_body(self) -> dict[str, Any]:
        return {
            **body_of(self, "disclosure", ("narrative", "certified")),
            "stage": self.stage.data,
        }
