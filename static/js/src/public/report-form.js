// The tip and disclosure forms, encrypted in the browser.
//
// The server renders an ordinary form that works without JavaScript (the
// server then encrypts on arrival). When this script runs it takes the form
// over: it checks the fields, builds the same body JSON the server would,
// encrypts body and files here, uploads only ciphertext (report-send.js), and
// shows the receipt it made. If sending fails the form is given back with the
// files still chosen.

import { collectBody } from "./body.js";
import { confirmationButton } from "./confirmation.js";
import { announcer, csrfToken, el, find, isFormControl } from "./dom.js";
import { FilePicker, limitsOf } from "./files.js";
import { t } from "./messages.js";
import { showReceipt } from "./receipt-panel.js";
import { enhanceRepeats } from "./repeat.js";
import { ReportSender } from "./report-send.js";
import { SendingStatus } from "./report-status.js";
import { checkForm, liveChecks } from "./validate.js";

/** @import { StoredReport } from "./report-send.js" */
/** @import { VigilCrypto } from "./vigil.js" */

/**
 * @param {HTMLFormElement} form
 * @param {VigilCrypto} V
 */
export function enhanceReportForm(form, V) {
  // Tells screen readers that a row was added or removed.
  const announce = announcer(form);
  const status = new SendingStatus(form);
  const picker = wireFields(form, announce);
  const sender = new ReportSender(form, V, status, picker);
  let busy = false;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy || !readyToSend(form, status, picker)) return;
    const body = collectBody(form, sender.intakeType);
    const files = picker ? picker.files.slice() : [];
    busy = true;
    const hold = holdWhileSending(form);
    status.showProgress(true);
    try {
      const { result, receipt, token } = await sender.send(body, files);
      hold.release();
      picker?.clear();
      showSent(form, sender.intakeType, result, receipt, token);
    } catch (err) {
      hold.release();
      busy = false;
      hold.giveBack();
      status.showProgress(false);
      status.alert(sender.failure(err));
    }
  });
}

// The form's own behaviour: the file list, the repeatable rows, and the
// checks that run again as fields are corrected.
/**
 * @param {HTMLFormElement} form
 * @param {(text: string) => void} announce
 * @returns {FilePicker | null}
 */
function wireFields(form, announce) {
  const fileInput = find(form, 'input[type="file"]', HTMLInputElement);
  const picker = fileInput ? new FilePicker(fileInput, limitsOf(form)) : null;
  enhanceRepeats(form, announce);
  liveChecks(form);
  return picker;
}

// Check every field; on a problem, say how many fields to correct and focus the first.
/**
 * @param {HTMLFormElement} form
 * @param {SendingStatus} status
 * @param {FilePicker | null} picker
 * @returns {boolean}
 */
function readyToSend(form, status, picker) {
  status.alert("");
  form.dataset.checked = "true";
  const invalid = checkForm(form);
  if (picker && picker.error.textContent) invalid.push(picker.input);
  const [first] = invalid;
  if (!first) return true;
  status.fieldsToCorrect(invalid.length);
  first.focus();
  return false;
}

/** @param {BeforeUnloadEvent} event */
function busyGuard(event) {
  event.preventDefault();
  event.returnValue = "";
}

// While the report is being sent the answers cannot change: they are
// already sealed, or about to be, and leaving the page asks first.
/**
 * @param {HTMLFormElement} form
 * @returns {{ release: () => void, giveBack: () => void }} release: leaving is
 *   free again; giveBack: the form can be changed again
 */
function holdWhileSending(form) {
  form.setAttribute("aria-busy", "true");
  const thaw = freeze(form);
  window.addEventListener("beforeunload", busyGuard);
  return {
    release: () => window.removeEventListener("beforeunload", busyGuard),
    giveBack: () => {
      form.removeAttribute("aria-busy");
      thaw();
    },
  };
}

/**
 * @param {Element} control
 * @returns {control is HTMLInputElement | HTMLTextAreaElement}
 */
function isTextEntry(control) {
  return (
    control instanceof HTMLTextAreaElement ||
    (control instanceof HTMLInputElement && !["checkbox", "radio", "file", "submit", "button"].includes(control.type))
  );
}

// Text becomes read-only (still readable and focusable); choices and buttons
// are disabled. Returns the undo.
/**
 * @param {HTMLFormElement} form
 * @returns {() => void}
 */
function freeze(form) {
  /** @type {Array<() => void>} */
  const undo = [];
  for (const control of form.querySelectorAll("input, select, textarea, button")) {
    if (!(isFormControl(control) || control instanceof HTMLButtonElement) || control.type === "hidden") continue;
    if (isTextEntry(control)) {
      if (control.readOnly) continue;
      control.readOnly = true;
      undo.push(() => {
        control.readOnly = false;
      });
    } else if (!control.disabled) {
      control.disabled = true;
      undo.push(() => {
        control.disabled = false;
      });
    }
  }
  return () => {
    for (const step of undo) step();
  };
}

// The report is stored: the form gives way to the receipt panel.
/**
 * @param {HTMLFormElement} form
 * @param {string} intakeType
 * @param {StoredReport} result
 * @param {string} receipt
 * @param {string} token the lookup token, for the filing confirmation of a disclosure
 */
function showSent(form, intakeType, result, receipt, token) {
  const container = el("div", { class: "js-receipt-container" });
  form.replaceWith(container);
  // The page's lead and notices were about filling the form in.
  for (const node of document.querySelectorAll("[data-hide-after-submit], #form-errors")) {
    if (node instanceof HTMLElement) node.hidden = true;
  }
  showReceipt(container, {
    receipt,
    reference: result.reference,
    intakeType,
    followupUrl: form.dataset.followupUrl || "/followup",
    homeUrl: form.dataset.homeUrl || "/",
    confirmation:
      intakeType === "disclosure"
        ? confirmationButton({ token, csrf: () => csrfToken(form) }, null, t("receipt.confirmation"))
        : null,
  });
}
