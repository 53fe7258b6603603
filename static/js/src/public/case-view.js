// An opened case, in place of the follow-up page's content: where it stands,
// what was reported and said, and the forms to answer. It mirrors the page
// without scripts (templates/public/case.html). "Close" wipes rk and puts the
// receipt form back.

import { postJSON } from "./api.js";
import { dataNumber, el, focusOn } from "./dom.js";
import { caseFacts } from "./case-status.js";
import { messagesSection, openCase, partsSection, reportedSection } from "./case-thread.js";
import { messageForm, partForm } from "./case-reply.js";
import { limitsOf } from "./files.js";
import { t } from "./messages.js";
import { partBytesFor } from "./upload.js";

/** @import { CaseContext, CaseData, CaseLimits } from "./case-thread.js" */

/**
 * @param {HTMLElement} form the follow-up form, where the server renders its limits
 * @returns {CaseLimits}
 */
export function caseLimitsOf(form) {
  return {
    files: limitsOf(form),
    partBytes: partBytesFor(form),
    messageMax: dataNumber(form, "maxMessageLength"),
    narrativeMax: dataNumber(form, "maxNarrativeLength"),
    fileNameMax: dataNumber(form, "maxFilenameLength"),
  };
}

export class CaseView {
  /**
   * @param {HTMLElement} main the page's content, which the case replaces
   * @param {CaseContext} ctx
   */
  constructor(main, ctx) {
    this.main = main;
    this.ctx = ctx;
    /** @param {string} notice */
    this.sent = (notice) => this.reload(notice);
    // The receipt form and the rest of the page come back on "Close".
    this.page = Array.from(main.childNodes);
    this.root = el("div", { class: "case-view", "data-case-view": true });
  }

  /**
   * @param {CaseData} data
   * @param {string} [notice] what was just done, e.g. "Your message was sent."
   */
  show(data, notice) {
    const { ctx, sent } = this;
    const opened = openCase(ctx, data);
    const heading = el("h1", { text: t("case.title", { reference: data.reference }) });
    const children = [
      heading,
      notice ? el("div", { class: "notice ok", role: "status" }, el("p", { text: notice })) : null,
      caseFacts(data, opened.hasNarrative),
      reportedSection(opened, ctx),
      partsSection(opened, ctx),
      messagesSection(opened, ctx),
      messageForm(ctx, sent),
      data.intake_type === "disclosure" ? partForm(ctx, sent, opened.hasNarrative) : null,
      el(
        "p",
        { class: "case-close" },
        el("button", { type: "button", class: "secondary", text: t("case.close"), onclick: () => this.close() }),
      ),
    ];
    // (The DOM's replaceChildren would write a null as the text "null".)
    this.root.replaceChildren(...children.filter((child) => child !== null));
    if (!this.root.isConnected) this.main.replaceChildren(this.root);
    focusOn(heading);
  }

  // The case as it is now on the server, shown with `notice`.
  /** @param {string} notice */
  async reload(notice) {
    const { token, csrf } = this.ctx;
    const data = /** @type {CaseData} */ (await postJSON("/api/case", { lookup_token: token }, csrf()));
    this.show(data, notice);
  }

  // Forget the case: wipe rk, put the receipt form back.
  close() {
    this.ctx.rk.fill(0);
    this.ctx.token = "";
    this.main.replaceChildren(...this.page);
    document.getElementById("case-closed")?.remove();
    const notice = el(
      "div",
      { class: "notice", role: "status", id: "case-closed" },
      el("p", { text: t("followup.closed") }),
    );
    this.main.querySelector("form")?.before(notice);
    focusOn(this.main.querySelector("h1"));
  }
}
