// Where the case stands: its status, when it was received, and the deadlines
// still ahead, as the page without scripts shows them
// (templates/public/case.html).

import { el } from "./dom.js";
import { t } from "./messages.js";

/** @import { CaseData } from "./case-thread.js" */

/**
 * An hour the server sent (ISO 8601), shown as the page without scripts does.
 * @param {string | null | undefined} iso
 * @returns {HTMLElement}
 */
export function hour(iso) {
  const date = new Date(iso || "");
  if (!iso || Number.isNaN(date.getTime())) return el("span", { text: String(iso || "") });
  // The server keeps hours only; shown in UTC, as the page without scripts does.
  const text = `${date.toISOString().slice(0, 13).replace("T", " ")}:00 UTC`;
  return el("time", { datetime: iso, text });
}

/**
 * @param {string} iso
 * @returns {string}
 */
function day(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().slice(0, 10);
}

/**
 * @param {CaseData} data
 * @param {boolean} hasNarrative whether the full narrative is filed (its deadline is then past caring)
 * @returns {HTMLElement}
 */
export function caseFacts(data, hasNarrative) {
  const deadlines = data.deadlines || {};
  /** @type {Array<[string, HTMLElement]>} */
  const rows = [
    [t("case.status"), el("span", { class: "case-status", text: t(`status.${data.status}`) })],
    [t("case.received"), hour(data.received_hour)],
  ];
  if (deadlines.ack_due) rows.push([t("case.ack_due"), el("span", { text: day(deadlines.ack_due) })]);
  if (deadlines.feedback_due) rows.push([t("case.feedback_due"), el("span", { text: day(deadlines.feedback_due) })]);
  if (deadlines.narrative_due && !hasNarrative) {
    rows.push([t("case.narrative_due"), el("span", { text: day(deadlines.narrative_due) })]);
  }
  return el(
    "dl",
    { class: "case-facts" },
    ...rows.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)]),
  );
}
