// Repeatable groups of fields (goods, items, parties): add and remove rows.
//
// The server renders (templates/public/_forms.html, `entries`):
//   <fieldset class="entries" data-repeat="parties" data-repeat-max="30"
//             data-repeat-min="1" data-repeat-add="Add another party">
//     <legend>Parties</legend>
//     <fieldset class="entry" data-repeat-row>
//       <legend>Party <span data-repeat-number>1</span></legend>
//       controls named parties-0-name, parties-0-country, … </fieldset> …
// Without this script the reporter gets the blank rows it rendered. With it,
// blank rows beyond data-repeat-min are folded away, "Add another …" makes a
// new row (up to data-repeat-max, the most the server takes) and each row can
// be removed. After every change the rows are renumbered so names stay
// parties-0-…, parties-1-…, as WTForms' FieldList reads them.

import { dataNumber, el, find, findAll, isFormControl } from "./dom.js";
import { t } from "./messages.js";

const ATTRIBUTES = ["name", "id", "for", "aria-describedby", "aria-labelledby"];
const CONTROLS = "input, select, textarea";

/**
 * @param {HTMLElement} row
 * @param {string} prefix
 * @param {number} index
 */
function renumber(row, prefix, index) {
  const pattern = new RegExp(`(^|\\s)(${prefix}-)\\d+(-)`, "g");
  for (const node of [row, ...row.querySelectorAll("*")]) {
    for (const attribute of ATTRIBUTES) {
      const value = node.getAttribute(attribute);
      if (value) node.setAttribute(attribute, value.replace(pattern, `$1$2${index}$3`));
    }
  }
  const number = row.querySelector("[data-repeat-number]");
  if (number) number.textContent = String(index + 1);
}

/**
 * @param {unknown} control
 * @returns {control is HTMLInputElement}
 */
function isTickable(control) {
  return control instanceof HTMLInputElement && (control.type === "checkbox" || control.type === "radio");
}

/**
 * @param {HTMLElement} row
 * @returns {boolean}
 */
function isBlank(row) {
  return Array.from(row.querySelectorAll(CONTROLS))
    .filter(isFormControl)
    .every((c) => (isTickable(c) ? !c.checked : !c.value.trim()));
}

/** @param {HTMLElement} row */
function clearRow(row) {
  for (const control of Array.from(row.querySelectorAll(CONTROLS)).filter(isFormControl)) {
    if (isTickable(control)) control.checked = control.defaultChecked = false;
    else if (control instanceof HTMLSelectElement) control.selectedIndex = 0;
    else control.value = control.defaultValue = "";
    control.removeAttribute("aria-invalid");
    const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => !id.endsWith("error"));
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }
  // Messages belonged to the row this one was copied from.
  for (const message of row.querySelectorAll(".field-error")) message.remove();
  for (const field of row.querySelectorAll(".has-error")) field.classList.remove("has-error");
}

// "Party 3": what a screen reader should hear for the row's remove button.
/**
 * @param {HTMLElement} row
 * @returns {string}
 */
function rowName(row) {
  const legend = row.querySelector(":scope > legend");
  return legend ? (legend.textContent || "").replace(/\s+/g, " ").trim() : "";
}

/**
 * @param {HTMLFormElement} form
 * @param {(text: string) => void} announce
 */
export function enhanceRepeats(form, announce) {
  for (const group of findAll(form, "[data-repeat]", HTMLElement)) {
    const prefix = group.dataset.repeat || "";
    // The most rows the server takes (the list's max_entries).
    const max = dataNumber(group, "repeatMax", Infinity);
    const min = Math.max(1, dataNumber(group, "repeatMin", 1));
    const rows = () => findAll(group, ":scope > [data-repeat-row]", HTMLElement);
    if (!rows().length) continue;
    const addButton = el("button", {
      type: "button",
      class: "secondary js-repeat-add",
      text: group.dataset.repeatAdd || t("rows.add"),
    });

    const refresh = () => {
      const all = rows();
      all.forEach((row, i) => {
        renumber(row, prefix, i);
        const remove = find(row, ":scope > .js-repeat-remove", HTMLElement);
        if (!remove) return;
        remove.hidden = all.length <= min;
        remove.setAttribute("aria-label", t("rows.remove_named", { label: rowName(row) }));
      });
      addButton.disabled = all.length >= max;
    };

    /** @param {HTMLElement} row */
    const addRemoveButton = (row) => {
      const remove = el("button", {
        type: "button",
        class: "link-button js-repeat-remove",
        text: t("rows.remove"),
        onclick: () => {
          const at = rows().indexOf(row);
          row.remove();
          refresh();
          announce(t("rows.removed"));
          // Focus the row that took its place, or the add button.
          const next = rows()[Math.min(at, rows().length - 1)];
          (next ? find(next, CONTROLS, HTMLElement) : addButton)?.focus();
        },
      });
      row.append(remove);
    };

    // Fold the blank rows the server rendered for browsers without scripts.
    for (const row of rows().slice(min)) if (isBlank(row)) row.remove();
    rows().forEach(addRemoveButton);

    addButton.addEventListener("click", () => {
      const all = rows();
      if (all.length >= max) return;
      const last = all[all.length - 1];
      const copy = last?.cloneNode(true);
      if (!last || !(copy instanceof HTMLElement)) return;
      copy.querySelector(":scope > .js-repeat-remove")?.remove();
      clearRow(copy);
      last.after(copy);
      addRemoveButton(copy);
      refresh();
      announce(t("rows.added", { label: rowName(copy) }));
      find(copy, CONTROLS, HTMLElement)?.focus();
    });
    group.append(addButton);
    refresh();
  }
}
