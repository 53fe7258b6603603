// The report body: the form's fields as one JSON object, exactly as the
// server builds it from the same form without JavaScript
// (reporting/public/forms.py, `_body` and the forms' `to_body`), because
// triage reads one shape whichever path a report took:
//
//   {"form": "tip" | "disclosure", "format": 1, <field>: …, …}
//   - text is trimmed;
//   - repeatable entries (parties, goods, items) are lists of objects, one
//     member per sub-field, rows whose every value is blank left out;
//   - "one per line" fields are lists of the non-blank, trimmed lines;
//   - tick boxes are booleans;
//   - a disclosure's initial notification carries "stage": "initial_notification".
//
// The form's markup tells us everything but which text fields are "one per
// line" (the server's MaxLines validator leaves no trace in the HTML), so
// those are named here. tests/browser/public checks that both paths give
// the same body for the same input.

export const BODY_FORMAT = 1;

// forms.py's MaxLines fields, with their line limits.
export const LINE_FIELDS = { conflicts: 20, licences: 50 };
// forms.py's Regexp on the disclosure's contact e-mail address.
export const EMAIL_FIELDS = new Set(["contact_email"]);
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

// Python's str.splitlines() boundaries, so both sides split alike.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

export function lines(text) {
  return text
    .split(LINE_BREAK)
    .map((line) => line.trim())
    .filter(Boolean);
}

const SKIP = new Set(["csrf_token", "receipt"]);
const ROW_NAME = /^([^-]+)-(\d+)-(.+)$/;

// What a plain form submission would carry for the control. A textarea's
// line breaks are sent as CRLF (HTML's newline normalisation), while its
// `value` has LF: converted, so both paths store the same text.
export function submittedText(control) {
  const value = control.tagName === "TEXTAREA" ? control.value.replace(/\r\n|\r|\n/g, "\r\n") : control.value;
  return value.trim();
}

function valueOf(control) {
  return control.type === "checkbox" ? control.checked : submittedText(control);
}

export function collectBody(form, kind) {
  const body = { form: kind, format: BODY_FORMAT };
  const rows = new Map(); // list name → Map(index → row object), in document order
  for (const control of form.elements) {
    const name = control.name;
    if (!name || SKIP.has(name) || !control.matches("input, select, textarea")) continue;
    if (["file", "submit", "button", "reset", "image"].includes(control.type)) continue;
    const row = ROW_NAME.exec(name);
    if (row) {
      const [, list, index, sub] = row;
      if (!rows.has(list)) {
        rows.set(list, new Map());
        body[list] = []; // keeps the field's place among the members
      }
      const entries = rows.get(list);
      if (!entries.has(index)) entries.set(index, {});
      entries.get(index)[sub] = valueOf(control);
    } else if (name in LINE_FIELDS) {
      body[name] = lines(control.value);
    } else {
      body[name] = valueOf(control);
    }
  }
  for (const [list, entries] of rows) {
    body[list] = Array.from(entries.values()).filter((row) => Object.values(row).some((v) => v !== "" && v !== false));
  }
  if (kind === "disclosure") body.stage = "initial_notification";
  return body;
}
