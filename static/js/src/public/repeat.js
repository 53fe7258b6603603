// Repeatable groups of fields (goods, items, parties): add and remove rows.
//
// The server renders (templates/public/_forms.html, `entries`):
//   <fieldset class="entries" data-entries="parties" data-max-entries="30">
//     <legend>Parties</legend>
//     <fieldset class="entry" data-entry><legend>Party 1</legend>
//       controls named parties-0-name, parties-0-country, … </fieldset> …
// Without this script the reporter gets the three blank rows it rendered.
// With it, blank rows beyond the first are folded away, "Add another" makes
// a new row (up to data-max-entries) and each row can be removed. After every
// change the rows are renumbered so names stay parties-0-…, parties-1-…, as
// WTForms' FieldList reads them, and legends say Party 1, Party 2, …

import { el } from "./dom.js";
import { t } from "./messages.js";

const ATTRIBUTES = ["name", "id", "for", "aria-describedby", "aria-labelledby"];
const CONTROLS = "input, select, textarea";

function renumber(row, prefix, index) {
  const pattern = new RegExp(`(^|\\s)(${prefix}-)\\d+(-)`, "g");
  for (const node of [row, ...row.querySelectorAll("*")]) {
    for (const attribute of ATTRIBUTES) {
      const value = node.getAttribute(attribute);
      if (value) node.setAttribute(attribute, value.replace(pattern, `$1$2${index}$3`));
    }
  }
  const legend = row.querySelector(":scope > legend");
  if (legend) legend.textContent = legend.textContent.replace(/\d+\s*$/, String(index + 1));
}

function isBlank(row) {
  return Array.from(row.querySelectorAll(CONTROLS)).every((c) =>
    c.type === "checkbox" || c.type === "radio" ? !c.checked : !c.value.trim(),
  );
}

function clearRow(row) {
  for (const control of row.querySelectorAll(CONTROLS)) {
    if (control.type === "checkbox" || control.type === "radio") control.checked = control.defaultChecked = false;
    else if (control.tagName === "SELECT") control.selectedIndex = 0;
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

// "Party 3" → "Party": the row's label, for the buttons' names.
function rowLabel(row) {
  const legend = row.querySelector(":scope > legend");
  return legend ? legend.textContent.replace(/\s*\d+\s*$/, "").trim() : "";
}

export function enhanceRepeats(form, announce) {
  for (const group of form.querySelectorAll("[data-entries]")) {
    const prefix = group.dataset.entries;
    const max = Number(group.dataset.maxEntries) || 30;
    const rows = () => Array.from(group.querySelectorAll(":scope > [data-entry]"));
    if (!rows().length) continue;
    const label = rowLabel(rows()[0]);
    // "Add another party": lower case reads right in English, not in every language.
    const english = (document.documentElement.lang || "en").startsWith("en");
    const addButton = el("button", {
      type: "button",
      class: "secondary js-repeat-add",
      text: t("rows.add", { label: english ? label.toLowerCase() : label }),
    });

    const refresh = () => {
      const all = rows();
      all.forEach((row, i) => {
        renumber(row, prefix, i);
        const remove = row.querySelector(":scope > .js-repeat-remove");
        if (!remove) return;
        // One row always stays: it is where the first entry goes.
        remove.hidden = all.length <= 1;
        remove.setAttribute("aria-label", t("rows.remove_named", { label: `${label} ${i + 1}` }));
      });
      addButton.disabled = all.length >= max;
    };

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
          (next ? next.querySelector(CONTROLS) : addButton).focus();
        },
      });
      row.append(remove);
    };

    // Fold the blank rows the server rendered for browsers without scripts.
    for (const row of rows().slice(1)) if (isBlank(row)) row.remove();
    rows().forEach(addRemoveButton);

    addButton.addEventListener("click", () => {
      const all = rows();
      if (all.length >= max) return;
      const last = all[all.length - 1];
      const copy = last.cloneNode(true);
      copy.querySelector(":scope > .js-repeat-remove")?.remove();
      clearRow(copy);
      last.after(copy);
      addRemoveButton(copy);
      refresh();
      announce(t("rows.added", { label: `${label} ${all.length + 1}` }));
      copy.querySelector(CONTROLS)?.focus();
    });
    group.append(addButton);
    refresh();
  }
}
