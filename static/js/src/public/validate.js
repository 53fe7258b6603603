// Client-side checks with the message next to the field.
//
// The rules are the ones the server's form already puts in the HTML
// (required, maxlength, type="email", pattern, min/max), so the two sides
// cannot drift apart; the server checks again anyway. The browser's own
// bubbles are switched off (novalidate) because they vanish, are not read
// reliably by screen readers and cannot be styled; instead each message is a
// paragraph tied to its field with aria-describedby, the field gets
// aria-invalid, and focus goes to the first field to fix.

import { lines, maxLinesOf } from "./body.js";
import { el, isFormControl } from "./dom.js";
import { t } from "./messages.js";

const CONTROLS = "input:not([type=hidden]):not([type=file]):not([type=submit]):not([type=button]), select, textarea";

/** @import { FormControl } from "./dom.js" */

/**
 * @param {FormControl} control
 * @returns {string}
 */
function messageFor(control) {
  const v = control.validity;
  if (v.valueMissing) {
    return control.type === "checkbox" ? t("field.tick") : t("field.required");
  }
  const maxLength = control instanceof HTMLSelectElement ? 0 : control.maxLength;
  if (v.tooLong || (maxLength > 0 && control.value.length > maxLength)) {
    return t("field.too_long", { max: maxLength });
  }
  if (v.typeMismatch && control.type === "email") return t("field.email");
  if (v.badInput || v.rangeOverflow || v.rangeUnderflow || v.stepMismatch) return t("field.number");
  if (v.patternMismatch) return control.title || t("field.pattern");
  if (v.customError) return control.validationMessage;
  return "";
}

/**
 * @param {FormControl} control
 * @returns {HTMLElement}
 */
function errorNode(control) {
  const id = `${control.id || control.name}-js-error`;
  let node = document.getElementById(id);
  if (!node) {
    node = el("p", { class: "field-error js-field-error", id, hidden: true });
    // After the control; for a tick box after the box and its label together.
    const anchor = control.closest(".checkbox, label") || control;
    anchor.after(node);
  }
  return node;
}

/**
 * @param {Element} control
 * @param {string} id
 * @param {boolean} on
 */
function describedBy(control, id, on) {
  const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  const next = on ? (ids.includes(id) ? ids : [...ids, id]) : ids.filter((x) => x !== id);
  if (next.length) control.setAttribute("aria-describedby", next.join(" "));
  else control.removeAttribute("aria-describedby");
}

// The server's rules that the HTML does not carry (see body.js), and text
// checked as the server will see it: surrounding spaces do not count.
/**
 * @param {FormControl} control
 * @returns {string}
 */
function ownProblem(control) {
  if (control.type === "checkbox" || typeof control.value !== "string") return "";
  const value = control.value.trim();
  if (control.required && !value) return t("field.required");
  const maxLines = maxLinesOf(control);
  if (maxLines && lines(value).length > maxLines) return t("field.lines", { max: maxLines });
  // The server's pattern for an e-mail field (forms.py EmailAddress), from the page.
  const emailPattern = control.dataset["emailPattern"];
  if (emailPattern && value && !new RegExp(emailPattern).test(value)) return t("field.email");
  return "";
}

// Show (or clear) the message of one control; returns true when it is valid.
/**
 * @param {FormControl} control
 * @param {string} [extra] a problem of the caller's own, shown instead of the field's
 * @returns {boolean}
 */
export function checkControl(control, extra = "") {
  control.setCustomValidity(extra || ownProblem(control));
  const message = control.disabled ? "" : messageFor(control);
  const node = errorNode(control);
  node.textContent = message;
  node.hidden = !message;
  describedBy(control, node.id, Boolean(message));
  if (message) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
  return !message;
}

/**
 * @param {ParentNode} form
 * @returns {FormControl[]}
 */
export function controlsOf(form) {
  return Array.from(form.querySelectorAll(CONTROLS)).filter(isFormControl);
}

// Check every field; returns the invalid ones (in document order).
/**
 * @param {ParentNode} form
 * @returns {FormControl[]}
 */
export function checkForm(form) {
  return controlsOf(form).filter((control) => !checkControl(control));
}

// Once a submission has failed, fields re-check as they are corrected.
/** @param {HTMLFormElement} form */
export function liveChecks(form) {
  form.noValidate = true;
  form.addEventListener("focusout", (e) => {
    if (form.dataset.checked && isFormControl(e.target) && e.target.matches(CONTROLS)) checkControl(e.target);
  });
  form.addEventListener("input", (e) => {
    if (isFormControl(e.target) && e.target.getAttribute("aria-invalid") === "true") checkControl(e.target);
  });
}
