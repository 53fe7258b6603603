// The report body: the form's fields as one JSON object, in the shape the
// server builds from the same form without JavaScript (reporting/public/forms.py)
// and triage reads. PROVISIONAL: generic WTForms conventions until forms.py exists.

const SKIP = new Set(["csrf_token"]);

function setPath(target, name, value) {
  const parts = name.split("-");
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = /^\d+$/.test(parts[i]) ? Number(parts[i]) : parts[i];
    const nextIsIndex = /^\d+$/.test(parts[i + 1]);
    if (node[key] === undefined) node[key] = nextIsIndex ? [] : {};
    node = node[key];
  }
  const last = parts[parts.length - 1];
  node[/^\d+$/.test(last) ? Number(last) : last] = value;
}

export function collectBody(form) {
  const body = {};
  const seen = new Set();
  for (const control of form.elements) {
    const name = control.name;
    if (!name || SKIP.has(name) || seen.has(name) || control.disabled) continue;
    if (control.type === "file" || control.type === "submit" || control.type === "button") continue;
    const group = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    seen.add(name);
    let value;
    if (control.type === "checkbox") {
      value = group.length > 1 ? Array.from(group).filter((c) => c.checked).map((c) => c.value) : control.checked;
    } else if (control.type === "radio") {
      const checked = Array.from(group).find((c) => c.checked);
      value = checked ? checked.value : "";
    } else if (control.tagName === "SELECT" && control.multiple) {
      value = Array.from(control.selectedOptions, (o) => o.value);
    } else {
      value = control.value.trim();
    }
    setPath(body, name, value);
  }
  // Rows removed in the middle leave no holes: renumbering keeps indices dense.
  return body;
}
