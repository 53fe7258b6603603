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
// The form's markup, as the server renders it, says how to read each
// control; a "one per line" field is marked with its line limit (the
// server's MaxLines) as data-max-lines. tests/browser/public checks that both
// paths give the same body for the same input.

import { dataNumber, isFormControl } from "./dom.js";

/** @import { FormControl } from "./dom.js" */

// The body format this code writes (docs/report-format.md).
export const BODY_FORMAT = 1;

// Python's str.splitlines() boundaries, so both sides split alike.
// eslint-disable-next-line no-control-regex -- str.splitlines() splits at the separators \x1c to \x1e too
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/**
 * The line limit of a "one per line" field (0 for any other field): the
 * server renders it as data-max-lines.
 * @param {FormControl} control
 * @returns {number}
 */
export function maxLinesOf(control) {
  return dataNumber(control, "maxLines");
}

/**
 * @param {string} text
 * @returns {string[]}
 */
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
/**
 * @param {FormControl} control
 * @returns {string}
 */
export function submittedText(control) {
  const value = control.tagName === "TEXTAREA" ? control.value.replace(/\r\n|\r|\n/g, "\r\n") : control.value;
  return value.trim();
}

/**
 * @param {FormControl} control
 * @returns {string | boolean}
 */
function valueOf(control) {
  return control instanceof HTMLInputElement && control.type === "checkbox" ? control.checked : submittedText(control);
}

/**
 * @param {HTMLFormElement} form
 * @param {string} kind the intake type: "tip" or "disclosure"
 * @returns {Record<string, unknown>}
 */
export function collectBody(form, kind) {
  /** @type {Record<string, unknown>} */
  const body = { form: kind, format: BODY_FORMAT };
  /** @type {Map<string, Map<string, Record<string, string | boolean>>>} list name → index → row, in document order */
  const rows = new Map();
  for (const control of form.elements) {
    if (!isFormControl(control)) continue;
    const name = control.name;
    if (!name || SKIP.has(name)) continue;
    if (["file", "submit", "button", "reset", "image"].includes(control.type)) continue;
    const row = ROW_NAME.exec(name);
    if (row) {
      const [, list, index, sub] = row;
      let entries = rows.get(list);
      if (!entries) {
        entries = new Map();
        rows.set(list, entries);
        body[list] = []; // keeps the field's place among the members
      }
      let entry = entries.get(index);
      if (!entry) {
        entry = {};
        entries.set(index, entry);
      }
      entry[sub] = valueOf(control);
    } else if (maxLinesOf(control)) {
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
