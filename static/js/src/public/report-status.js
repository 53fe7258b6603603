// What the report form shows while it sends: an alert at the top of the form
// (the fields to correct, or why sending failed) and, above the send button,
// the step under way in words with the proof of work's progress bar.

import { el, focusOn } from "./dom.js";
import { t } from "./messages.js";

export class SendingStatus {
  /** @param {HTMLFormElement} form */
  constructor(form) {
    this.alertBox = el("div", { class: "js-alert notice error", role: "alert", tabindex: "-1", hidden: true });
    form.prepend(this.alertBox);
    this.text = el("p", { class: "js-progress-text", role: "status", "aria-live": "polite" });
    this.powBar = el("progress", { max: 1, value: 0, "aria-label": t("step.pow") });
    this.powEstimate = el("p", { class: "hint js-pow-estimate" });
    this.panel = el("div", { class: "js-progress", hidden: true }, this.text, this.powBar, this.powEstimate);
    const submit = form.querySelector('button[type="submit"], input[type="submit"]');
    (submit || form.lastElementChild)?.before(this.panel);
  }

  /** @param {string} text the step under way */
  say(text) {
    this.text.textContent = text;
  }

  /** @param {import("./pow.js").PowProgress | "done"} progress of the proof of work */
  powProgress(progress) {
    if (progress === "done") {
      this.powBar.value = 1;
      this.powEstimate.textContent = "";
      return;
    }
    const { fraction, usualSeconds, overdue } = progress;
    // Past the usual number of tries no fraction is honest: the bar turns indeterminate.
    if (overdue) this.powBar.removeAttribute("value");
    else this.powBar.value = fraction;
    this.powEstimate.textContent = t(overdue ? "pow.overdue" : "pow.usual", { seconds: usualSeconds });
  }

  /** @param {boolean} shown */
  showProgress(shown) {
    this.panel.hidden = !shown;
  }

  // Why sending failed, with focus on it; "" hides the alert.
  /** @param {string} text */
  alert(text) {
    this.alertBox.textContent = text;
    this.alertBox.hidden = !text;
    if (text) focusOn(this.alertBox);
  }

  // How many fields need correcting; focus goes to the first of them instead.
  /** @param {number} count */
  fieldsToCorrect(count) {
    this.alertBox.textContent = t("form.has_errors", { count });
    this.alertBox.hidden = false;
  }
}
