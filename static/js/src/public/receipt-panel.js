// The receipt panel shown after a report has been stored.
//
// The receipt was made in this browser and never left it; this is the only
// time it is shown. The panel says plainly why it matters, offers a copy
// button, and asks the reporter to confirm they saved it: until they tick the
// box, leaving the page asks for confirmation (beforeunload).

import { el, focusOn } from "./dom.js";
import { t } from "./messages.js";

/**
 * @param {string} text
 * @param {HTMLInputElement} fallbackInput holds `text`, hidden
 * @returns {Promise<boolean>} whether it was copied
 */
async function copyText(text, fallbackInput) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection-based copy
  }
  try {
    fallbackInput.hidden = false;
    fallbackInput.select();
    const ok = document.execCommand("copy");
    fallbackInput.hidden = true;
    return ok;
  } catch {
    return false;
  }
}

/**
 * @typedef {object} ReceiptDetails
 * @property {string} receipt
 * @property {string} reference the case's public reference
 * @property {string} intakeType
 * @property {string} followupUrl
 * @property {string} homeUrl
 * @property {HTMLElement | null} confirmation a disclosure's filing confirmation, to save
 */

/**
 * @param {HTMLElement} container
 * @param {ReceiptDetails} details
 * @returns {HTMLElement} the panel
 */
export function showReceipt(container, { receipt, reference, intakeType, followupUrl, homeUrl, confirmation }) {
  const groups = receipt.split("-");
  const copyInput = el("input", {
    type: "text",
    readonly: true,
    value: receipt,
    class: "receipt-copy-source",
    hidden: true,
    "aria-hidden": "true",
    tabindex: "-1",
  });
  const copyState = el("p", { class: "hint", role: "status" });
  const saved = el("input", { type: "checkbox", id: "receipt-saved" });
  const done = el("a", { class: "button", href: homeUrl || "/", "aria-disabled": "true", text: t("receipt.finish") });
  const heading = el("h2", { id: "receipt-title", text: t("receipt.title") });

  /** @param {BeforeUnloadEvent} event */
  const leaveGuard = (event) => {
    event.preventDefault();
    event.returnValue = t("receipt.leave_warning");
    return event.returnValue;
  };
  window.addEventListener("beforeunload", leaveGuard);

  saved.addEventListener("change", () => {
    if (saved.checked) {
      window.removeEventListener("beforeunload", leaveGuard);
      done.removeAttribute("aria-disabled");
    } else {
      window.addEventListener("beforeunload", leaveGuard);
      done.setAttribute("aria-disabled", "true");
    }
  });
  done.addEventListener("click", (event) => {
    if (!saved.checked) {
      event.preventDefault();
      copyState.textContent = t("receipt.leave_warning");
      saved.focus();
    }
  });

  const panel = el(
    "section",
    { class: "receipt-panel", "aria-labelledby": heading.id, "data-receipt-panel": true },
    heading,
    reference
      ? el(
          "p",
          {},
          t("receipt.reference"),
          " ",
          el("strong", { class: "reference", text: reference }),
          " ",
          t("receipt.reference_note"),
        )
      : null,
    el("h3", { text: t("receipt.heading") }),
    el(
      "p",
      { class: "js-receipt", "data-receipt": receipt, "aria-label": `${t("receipt.heading")}: ${groups.join(" ")}` },
      ...groups.flatMap((g, i) => [
        i ? el("span", { class: "receipt-sep", "aria-hidden": "true", text: "-" }) : null,
        el("span", { class: "receipt-group", text: g }),
      ]),
    ),
    el(
      "div",
      { class: "receipt-actions" },
      el("button", {
        type: "button",
        class: "js-copy-receipt",
        text: t("receipt.copy"),
        onclick: async () => {
          const ok = await copyText(receipt, copyInput);
          copyState.textContent = ok ? t("receipt.copied") : t("receipt.copy_failed");
        },
      }),
      copyInput,
    ),
    copyState,
    el(
      "div",
      { class: "notice warning" },
      el("p", {}, el("strong", { text: t("receipt.only_way") })),
      el(
        "ul",
        {},
        el("li", { text: t("receipt.use") }),
        el("li", { text: t("receipt.not_kept") }),
        el("li", { text: t("receipt.private") }),
        el("li", { text: t(intakeType === "disclosure" ? "receipt.where_disclosure" : "receipt.where") }),
        el("li", { text: t(intakeType === "disclosure" ? "receipt.next_disclosure" : "receipt.next_tip") }),
      ),
    ),
    confirmation
      ? el(
          "section",
          { class: "receipt-confirmation", "aria-labelledby": "confirmation-heading" },
          el("h3", { id: "confirmation-heading", text: t("receipt.confirmation_heading") }),
          el("p", { text: t("receipt.confirmation_keep") }),
          confirmation,
        )
      : null,
    // A link of its own, not one spliced into a sentence: word order differs by language.
    followupUrl ? el("p", {}, el("a", { href: followupUrl, text: t("receipt.followup_link") })) : null,
    el("p", { class: "confirm" }, el("label", { for: saved.id, class: "checkbox" }, saved, " ", t("receipt.saved"))),
    done,
  );
  container.replaceChildren(panel);
  focusOn(heading);
  return panel;
}
