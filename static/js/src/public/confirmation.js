// A disclosure stage's filing confirmation: signed by the server with its
// filing key (reporting/intake/confirmations.py), fetched with the lookup
// token and saved exactly as the server made it, so its signature holds.

import { apiMessage, postForBlob } from "./api.js";
import { el, offerDownload } from "./dom.js";
import { t } from "./messages.js";

/**
 * What fetching a case's confirmation needs: the lookup token and the CSRF token.
 * @typedef {object} CaseAccess
 * @property {string} token
 * @property {() => string} csrf
 */

/**
 * @param {unknown} value
 * @returns {string} a file name part made of letters, digits and dashes only
 */
function namePart(value) {
  return String(value || "").replace(/[^A-Za-z0-9-]+/g, "-");
}

/**
 * A button that saves the confirmation of the initial notification (`part`
 * null) or of a later stage, and says what the file is.
 * @param {CaseAccess} access
 * @param {number | null} part
 * @param {string} label
 * @returns {HTMLElement}
 */
export function confirmationButton(access, part, label) {
  const state = el("span", { class: "hint", role: "status" });
  const button = el("button", { type: "button", class: "secondary", text: label });
  button.addEventListener("click", async () => {
    button.disabled = true;
    state.textContent = "";
    try {
      const request = part === null ? { lookup_token: access.token } : { lookup_token: access.token, part };
      const blob = await postForBlob("/api/case/confirmation", request, access.csrf());
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const confirmation = JSON.parse(new TextDecoder().decode(bytes));
      offerDownload(bytes, `${namePart(confirmation.reference)}-${namePart(confirmation.stage)}-confirmation.json`);
    } catch (err) {
      state.textContent = apiMessage(err, t("confirmation.failed"));
    } finally {
      button.disabled = false;
    }
  });
  return el(
    "p",
    { class: "filing-confirmation" },
    button,
    " ",
    el("span", { class: "hint", text: t("confirmation.hint") }),
    " ",
    state,
  );
}
