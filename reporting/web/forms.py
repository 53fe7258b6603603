"""The base of every form in Vigil: a form is filled from an HTML form's body, text as text.

Flask-WTF fills a form from the request's files and text fields together, and
from a JSON body when there is no form. Either can put what no field expects
where text belongs: a file sent under a text field's name reached the field as
an uploaded-file object, JSON put numbers, lists and objects there; the
validators and the services behind them took these for text and failed (500).

So a VigilForm reads only a form body (urlencoded or multipart), never JSON,
and refuses (400) a file under any name it reads as text before a field sees
it. A file under another name, such as another form's on the same page, is
none of its business.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import FileField

from reporting.core.errors import BadRequest

FILE_IN_PLACE_OF_TEXT = lazy_gettext(
    "A file was sent where the form expects text. "
    "Fill in the form as the page shows it and send it again."
)


def _read_as_text(form: FlaskForm, name: str) -> bool:
    """Whether `form` reads the form field `name` as text (nested entries are `<name>-…`)."""
    return any(
        not isinstance(field, FileField)
        and (name == field.name or name.startswith(f"{field.name}-"))
        for field in form
    )


class VigilForm(FlaskForm):  # type: ignore[misc]
    class Meta(FlaskForm.Meta):  # type: ignore[misc]
        def wrap_formdata(self, form: FlaskForm, formdata: object) -> object:
            # Form data a caller passes (or None for none) is used as it is.
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata
            if not form.is_submitted():
                return None
            if any(_read_as_text(form, name) for name in request.files):
                raise BadRequest(FILE_IN_PLACE_OF_TEXT)
            if request.files:
                # Files and text alike, as Flask-WTF has them, for the form's file fields.
                sources: tuple[MultiDict[str, Any], ...] = (request.files, request.form)
                return CombinedMultiDict(sources)
            return request.form or None
