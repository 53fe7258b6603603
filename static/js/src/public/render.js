// Show a decrypted JSON body as plain HTML: a definition list whose terms are
// the field names made readable. Every value goes in as text.

import { el } from "./dom.js";

export function humanize(key) {
  const text = String(key).replace(/[_-]+/g, " ").trim();
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function isEmpty(value) {
  return value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

export function renderValue(value, labels = {}) {
  if (value === null || value === undefined) return el("span", { text: "" });
  if (typeof value === "boolean") return el("span", { text: value ? "Yes" : "No" });
  if (typeof value !== "object") return el("span", { class: "value-text", text: String(value) });
  if (Array.isArray(value)) {
    return el("ol", { class: "value-list" }, ...value.map((item) => el("li", {}, renderValue(item, labels))));
  }
  const entries = Object.entries(value).filter(([, v]) => !isEmpty(v));
  return el("dl", { class: "value-object" }, ...entries.flatMap(([k, v]) => [el("dt", { text: labels[k] || humanize(k) }), el("dd", {}, renderValue(v, labels))]));
}
