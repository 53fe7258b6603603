// Repeatable groups of fields (parties, goods): add and remove rows.
//
// Markup the server renders (it works without this script, with the rows it
// rendered):
//   <div data-repeat="parties" data-repeat-max="20" data-repeat-add="Add another party">
//     <fieldset data-repeat-row> <legend>Party <span data-repeat-number>1</span></legend>
//       controls named parties-0-name, parties-0-country, … </fieldset>
//   </div>
// Rows are numbered from 0 in names and ids the way WTForms' FieldList reads
// them; after an addition or removal every row is renumbered so the indices
// stay consecutive.

import { el } from "./dom.js";
import { t } from "./messages.js";

const INDEXED = /^(.*?-)(\d+)(-.*)$/;
const ATTRIBUTES = ["name", "id", "for", "aria-describedby", "aria-labelledby", "data-field"];

function renumber(row, prefix, index) {
  const pattern = new RegExp(`(^|\\s)(${prefix}-)\\d+(-)`, "g");
  for (const node of [row, ...row.querySelectorAll("*")]) {
    for (const attribute of ATTRIBUTES) {
      const value = node.getAttribute(attribute);
      if (value && INDEXED.test(value)) node.setAttribute(attribute, value.replace(pattern, `$1$2${index}$3`));
    }
  }
  const number = row.querySelector("[data-repeat-number]");
  if (number) number.textContent = String(index + 1);
}

function clearRow(row) {
  for (const control of row.querySelectorAll("input, select, textarea")) {
    if (control.type === "checkbox" || control.type === "radio") control.checked = control.defaultChecked = false;
    else if (control.tagName === "SELECT") control.selectedIndex = 0;
    else if (control.type !== "hidden") control.value = control.defaultValue = "";
    control.removeAttribute("aria-invalid");
  }
  // Messages belonged to the row it was copied from.
  for (const message of row.querySelectorAll(".field-error")) message.remove();
}

export function enhanceRepeats(form, announce) {
  for (const group of form.querySelectorAll("[data-repeat]")) {
    const prefix = group.dataset.repeat;
    const max = Number(group.dataset.repeatMax) || 50;
    const min = Number(group.dataset.repeatMin) || 0;
    const rows = () => Array.from(group.querySelectorAll(":scope > [data-repeat-row]"));
    const addButton = el("button", {
      type: "button",
      class: "secondary js-repeat-add",
      text: group.dataset.repeatAdd || t("rows.add"),
    });

    const refresh = () => {
      const all = rows();
      all.forEach((row, i) => renumber(row, prefix, i));
      for (const row of all) {
        const remove = row.querySelector(":scope > .js-repeat-remove");
        if (!remove) continue;
        remove.hidden = all.length <= min;
        // "Remove this entry: Party 2", so a screen reader says which one.
        const legend = row.querySelector("legend");
        if (legend) remove.setAttribute("aria-label", `${remove.textContent}: ${legend.textContent.trim()}`);
      }
      addButton.disabled = all.length >= max;
    };

    const addRemove = (row) => {
      const remove = el("button", {
        type: "button",
        class: "link-button js-repeat-remove",
        text: group.dataset.repeatRemove || t("rows.remove"),
        onclick: () => {
          const all = rows();
          const at = all.indexOf(row);
          row.remove();
          refresh();
          announce(t("rows.removed"));
          // Focus the row that took its place, or the add button.
          const next = rows()[Math.min(at, rows().length - 1)];
          (next ? next.querySelector("input, select, textarea") : addButton).focus();
        },
      });
      row.append(remove);
    };

    rows().forEach(addRemove);
    addButton.addEventListener("click", () => {
      const all = rows();
      if (all.length >= max || all.length === 0) return;
      const copy = all[all.length - 1].cloneNode(true);
      copy.querySelector(":scope > .js-repeat-remove")?.remove();
      clearRow(copy);
      all[all.length - 1].after(copy);
      addRemove(copy);
      refresh();
      announce(t("rows.added"));
      const first = copy.querySelector("input, select, textarea");
      if (first) first.focus();
    });
    group.after(addButton);
    refresh();
  }
}
