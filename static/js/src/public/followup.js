// The follow-up page with JavaScript: the reporter types the receipt and the
// case is opened here, in the browser (docs/submission.md, "Following up").
//
// From the receipt come the lookup token (sent, to find the case) and the
// reporter's private key (never sent), which opens the reporter wrap to give
// rk; rk opens the body, the later stages, the messages and the files, and
// seals what the reporter sends back (case-view.js). Without JavaScript the
// server does the same in memory (templates/public/case.html).
// The receipt is not kept: only the token and rk, in the case view, until
// "Close" drops them.

import { ApiError, apiMessage, postJSON } from "./api.js";
import { csrfToken, el, find, focusOn } from "./dom.js";
import { CaseView, caseLimitsOf } from "./case-view.js";
import { t } from "./messages.js";
import { checkControl } from "./validate.js";

/** @import { CaseData } from "./case-thread.js" */
/** @import { VigilCrypto } from "./vigil.js" */

/**
 * What the receipt gives: the token that finds the case, and the key that opens it.
 * @typedef {object} ReceiptKeys
 * @property {string} token the lookup token, base64
 * @property {Uint8Array} secretKey the reporter's private key
 */

/**
 * The receipt form's own elements: its button, the step under way, and an
 * alert for what went wrong (the server's, from a try without the script, too).
 * @typedef {object} ReceiptFormParts
 * @property {HTMLFormElement} form
 * @property {HTMLInputElement} input
 * @property {HTMLButtonElement | null} button
 * @property {HTMLElement} status
 * @property {HTMLElement} alert
 * @property {HTMLElement | null} serverError
 */

/**
 * @param {HTMLFormElement} form
 * @param {VigilCrypto} V
 */
export function enhanceFollowup(form, V) {
  const input = find(form, 'input[name="receipt"]', HTMLInputElement);
  const main = form.closest("main") || form.parentElement;
  if (!input || !(main instanceof HTMLElement)) return;
  const parts = receiptFormParts(form, input);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    parts.alert.hidden = true;
    if (parts.serverError) parts.serverError.hidden = true;
    const keys = receiptKeys(V, input);
    if (keys) await openCase(V, keys, parts, main);
  });
}

/**
 * @param {HTMLFormElement} form
 * @param {HTMLInputElement} input
 * @returns {ReceiptFormParts}
 */
function receiptFormParts(form, input) {
  const button = find(form, 'button[type="submit"]', HTMLButtonElement);
  const status = el("p", { class: "js-progress-text", role: "status", "aria-live": "polite" });
  button?.before(status);
  const alert = el("div", { class: "js-alert notice error", role: "alert", tabindex: "-1", hidden: true });
  form.prepend(alert);
  form.noValidate = true;
  // A receipt is not a word: no spelling fixes, no autofill suggestions, capitals.
  input.setAttribute("autocomplete", "off");
  input.setAttribute("autocapitalize", "characters");
  input.setAttribute("spellcheck", "false");
  return { form, input, button, status, alert, serverError: document.getElementById("followup-error") };
}

// Find the case with the token, open it with the key, and show it in place of
// the page's content; the key is wiped whatever happens.
/**
 * @param {VigilCrypto} V
 * @param {ReceiptKeys} keys
 * @param {ReceiptFormParts} parts
 * @param {HTMLElement} main
 */
async function openCase(V, keys, { form, input, button, status, alert }, main) {
  if (button) button.disabled = true;
  status.textContent = t("followup.opening");
  try {
    const data = /** @type {CaseData} */ (await postJSON("/api/case", { lookup_token: keys.token }, csrfToken(form)));
    const rk = reporterKey(V, data, keys.secretKey);
    input.value = "";
    status.textContent = "";
    const ctx = { V, rk, token: keys.token, csrf: () => csrfToken(form), limits: caseLimitsOf(form) };
    new CaseView(main, ctx).show(data);
  } catch (err) {
    status.textContent = "";
    if (err instanceof ApiError && err.status === 404) {
      // The same words for an unknown receipt and a wrong one: the server cannot tell them apart either.
      checkControl(input, err.message || t("followup.not_found"));
      input.focus();
    } else {
      alert.textContent = apiMessage(err, t("followup.cannot_decrypt"));
      alert.hidden = false;
      focusOn(alert);
    }
  } finally {
    keys.secretKey.fill(0);
    if (button) button.disabled = false;
  }
}

// The token and key of the receipt typed in, or null (with the field marked)
// when it is not a receipt.
/**
 * @param {VigilCrypto} V
 * @param {HTMLInputElement} input
 * @returns {ReceiptKeys | null}
 */
function receiptKeys(V, input) {
  /** @type {ReceiptKeys} */
  let keys;
  try {
    const secret = V.parseReceipt(input.value);
    keys = { token: V.b64encode(V.lookupToken(secret)), secretKey: V.reporterKeyPair(secret).secretKey };
    secret.fill(0);
  } catch {
    checkControl(input, input.value.trim() ? t("followup.malformed") : t("field.required"));
    input.focus();
    return null;
  }
  checkControl(input, "");
  return keys;
}

// rk, from the reporter wrap the server sent with the case.
/**
 * @param {VigilCrypto} V
 * @param {CaseData} data
 * @param {Uint8Array} secretKey
 * @returns {Uint8Array}
 */
function reporterKey(V, data, secretKey) {
  try {
    return V.unwrapReportKey(V.b64decode(data.reporter_wrap), secretKey);
  } catch {
    throw new Error("undecryptable");
  }
}
