// Tiny DOM helpers. Nothing here writes HTML from strings: text goes in as
// text nodes, so report content can never become markup. No inline styles
// either (the CSP refuses them): visibility uses the `hidden` attribute and
// CSS classes from static/css/vigil.css.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// A visually hidden live region: screen readers announce what is put in it
// ("Party 2 added."), sighted users see the change itself.
export function announcer(container) {
  const region = el("div", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  container.append(region);
  return (text) => {
    // Cleared first so that the same sentence twice is announced twice.
    region.textContent = "";
    setTimeout(() => {
      region.textContent = text;
    }, 50);
  };
}

// Move focus somewhere that is not normally focusable (a heading, a panel)
// so that keyboard and screen-reader users land on what just appeared.
export function focusOn(node) {
  if (!node) return;
  if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
  node.focus();
  if (typeof node.scrollIntoView === "function") node.scrollIntoView({ block: "start" });
}

export function csrfToken(form) {
  const field = form.querySelector('input[name="csrf_token"]');
  return field ? field.value : "";
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
