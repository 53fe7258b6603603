// Tiny DOM helpers. Nothing here writes HTML from strings: text goes in as
// text nodes, so report content can never become markup. No inline styles
// either (the CSP refuses them): visibility uses the `hidden` attribute and
// CSS classes from static/css/vigil.css.

/**
 * An attribute's value: false, null and undefined leave it out, true sets it
 * empty; "class" and "text" set the class name and the text; a function
 * under an "on…" name listens to that event.
 * @typedef {string | number | boolean | null | undefined | ((event: Event) => unknown)} AttributeValue
 */

/**
 * A child to append: text as a text node; null, undefined and false are skipped.
 * @typedef {Node | string | null | undefined | false} Child
 */

/**
 * The form controls that carry a value: what validation and the body read.
 * @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} FormControl
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttributeValue>} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = String(value);
    else if (name === "text") node.textContent = String(value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/**
 * The first element under `root` that matches `selector`, if it is a `type`.
 * @template {Element} T
 * @param {ParentNode} root
 * @param {string} selector
 * @param {{ new (): T, prototype: T }} type
 * @returns {T | null}
 */
export function find(root, selector, type) {
  const node = root.querySelector(selector);
  return node instanceof type ? node : null;
}

/**
 * The elements under `root` that match `selector` and are a `type`, in document order.
 * @template {Element} T
 * @param {ParentNode} root
 * @param {string} selector
 * @param {{ new (): T, prototype: T }} type
 * @returns {T[]}
 */
export function findAll(root, selector, type) {
  return Array.from(root.querySelectorAll(selector)).filter(
    /** @returns {node is T} */ (node) => node instanceof type,
  );
}

/**
 * @param {unknown} node
 * @returns {node is FormControl}
 */
export function isFormControl(node) {
  return (
    node instanceof HTMLInputElement || node instanceof HTMLSelectElement || node instanceof HTMLTextAreaElement
  );
}

// A visually hidden live region: screen readers announce what is put in it
// ("Party 2 added."), sighted users see the change itself.
/**
 * @param {HTMLElement} container
 * @returns {(text: string) => void}
 */
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
/** @param {HTMLElement | null | undefined} node */
export function focusOn(node) {
  if (!node) return;
  if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
  node.focus();
  if (typeof node.scrollIntoView === "function") node.scrollIntoView({ block: "start" });
}

/**
 * @param {HTMLFormElement} form
 * @returns {string}
 */
export function csrfToken(form) {
  const field = find(form, 'input[name="csrf_token"]', HTMLInputElement);
  return field ? field.value : "";
}

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
export function sleep(ms) {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

/**
 * A number the server put in a data-* attribute (a limit it defines), or
 * `fallback` when the attribute is missing or not a positive number.
 * @param {HTMLElement} node
 * @param {string} name the dataset name, e.g. "maxAttachments" for data-max-attachments
 * @param {number} [fallback]
 * @returns {number}
 */
export function dataNumber(node, name, fallback = 0) {
  const value = Number(node.dataset[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Hand bytes made or decrypted here to the browser as a download named `fileName`.
 * @param {Uint8Array<ArrayBuffer>} data
 * @param {string} fileName
 */
export function offerDownload(data, fileName) {
  // Offered as opaque bytes, never as the type named inside the file: a
  // blob of type text/html opened from here would run on our origin.
  const url = URL.createObjectURL(new Blob([data], { type: "application/octet-stream" }));
  const link = el("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
