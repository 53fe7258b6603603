// Client-side checks with the message next to the field.
//
// The rules are the ones the server's form already puts in the HTML
// (required, maxlength, type="email", pattern, min/max), so the two sides
// cannot drift apart; the server checks again anyway. The browser's own
// bubbles are switched off (novalidate) because they vanish, are not read
// reliably by screen readers and cannot be styled; instead each message is a
// paragraph tied to its field with aria-describedby, the field gets
// aria-invalid, and focus goes to the first field to fix.

import { el } from "./dom.js";
import { t } from "./messages.js";

const CONTROLS = "input:not([type=hidden]):not([type=file]):not([type=submit]):not([type=button]), select, textarea";

function messageFor(control) {
  const v = control.validity;
  if (v.valueMissing) {
    return control.type === "checkbox" && control.dataset.certify !== undefined ? t("field.certify") : t("field.required");
  }
  if (v.tooLong || (control.maxLength > 0 && control.value.length > control.maxLength)) {
    return t("field.too_long", { max: control.maxLength });
  }
  if (v.typeMismatch && control.type === "email") return t("field.email");
  if (v.badInput || v.rangeOverflow || v.rangeUnderflow || v.stepMismatch) return t("field.number");
  if (v.patternMismatch) return control.title || t("field.pattern");
  if (v.customError) return control.validationMessage;
  return "";
}

function errorNode(control) {
  const id = `${control.id || control.name}-js-error`;
  let node = document.getElementById(id);
  if (!node) {
    node = el("p", { class: "field-error js-field-error", id, hidden: true });
    // After the control, or after its label when the label wraps it (checkboxes).
    const anchor = control.closest("label") || control;
    anchor.after(node);
  }
  return node;
}

function describedBy(control, id, on) {
  const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  const next = on ? (ids.includes(id) ? ids : [...ids, id]) : ids.filter((x) => x !== id);
  if (next.length) control.setAttribute("aria-describedby", next.join(" "));
  else control.removeAttribute("aria-describedby");
}

// Show (or clear) the message of one control; returns true when it is valid.
export function checkControl(control) {
  // Text is checked as the server will see it: surrounding spaces do not count.
  if (control.required && typeof control.value === "string" && control.type !== "checkbox" && !control.value.trim()) {
    control.setCustomValidity(t("field.required"));
  } else {
    control.setCustomValidity("");
  }
  const message = control.disabled ? "" : messageFor(control);
  const node = errorNode(control);
  node.textContent = message;
  node.hidden = !message;
  describedBy(control, node.id, Boolean(message));
  if (message) control.setAttribute("aria-invalid", "true");
  else control.removeAttribute("aria-invalid");
  return !message;
}

export function controlsOf(form) {
  return Array.from(form.querySelectorAll(CONTROLS));
}

// Check every field; returns the invalid ones (in document order).
export function checkForm(form) {
  return controlsOf(form).filter((control) => !checkControl(control));
}

// Once a submission has failed, fields re-check as they are corrected.
export function liveChecks(form) {
  form.noValidate = true;
  form.addEventListener("focusout", (e) => {
    if (form.dataset.checked && e.target.matches && e.target.matches(CONTROLS)) checkControl(e.target);
  });
  form.addEventListener("input", (e) => {
    if (e.target.getAttribute && e.target.getAttribute("aria-invalid") === "true") checkControl(e.target);
  });
}

// Show a message from the server for a named field, if the form has it.
export function showServerError(form, name, message) {
  const control = form.elements.namedItem(name);
  if (!control || !(control instanceof HTMLElement) || !control.matches(CONTROLS)) return null;
  control.setCustomValidity(message);
  const node = errorNode(control);
  node.textContent = message;
  node.hidden = false;
  describedBy(control, node.id, true);
  control.setAttribute("aria-invalid", "true");
  // Clear it once the reporter changes the field.
  control.addEventListener("input", () => control.setCustomValidity(""), { once: true });
  return control;
}
