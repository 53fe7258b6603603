"""The case page's forms: a reply to the reporter and an internal note."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, TextAreaField
from wtforms.validators import DataRequired, Length

from reporting.web.forms import VigilForm

# As long as the longest text a reporter may send (docs/report-format.md).
MAX_TEXT = 20_000


class ReplyForm(VigilForm):
    text = TextAreaField(
        _l("Reply to the reporter"),
        validators=[DataRequired(message=_l("Write the reply first.")), Length(max=MAX_TEXT)],
    )
    # Checked by reporting.intake.attachment_files.chosen_files (how many) and the
    # request's spools (how large).
    attachments = MultipleFileField(_l("Attach files for the reporter"))

    def cleaned_text(self) -> str:
        return str(self.text.data).strip()


class NoteForm(VigilForm):
    text = TextAreaField(
        _l("Internal note"),
        validators=[DataRequired(message=_l("Write the note first.")), Length(max=MAX_TEXT)],
    )

    def cleaned_text(self) -> str:
        return str(self.text.data).strip()
