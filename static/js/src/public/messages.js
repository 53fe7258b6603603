// The scripts' sentences are not written here: every public page carries
// them, in its own language, as an inert template rendered from
// reporting/public/script_messages.py (no inline script: the CSP forbids it):
//   <template id="vigil-messages"><span data-message="key">text</span>…</template>
// `{name}` placeholders are filled by t(). A key missing there shows as the
// key itself, which the browser tests would catch.

/** @type {Record<string, string> | null} */
let loaded = null;

/** @returns {Record<string, string>} */
function translations() {
  if (loaded === null) {
    /** @type {Record<string, string>} */
    const own = {};
    const block = document.getElementById("vigil-messages");
    if (block instanceof HTMLTemplateElement) {
      for (const node of block.content.querySelectorAll("[data-message]")) {
        own[node.getAttribute("data-message") || ""] = node.textContent || "";
      }
    }
    loaded = own;
  }
  return loaded;
}

/**
 * The sentence `key` in the page's language, its `{name}` placeholders filled from `params`.
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  const own = translations();
  const template = typeof own[key] === "string" ? own[key] : key;
  return template.replace(/\{(\w+)\}/g, (/** @type {string} */ whole, /** @type {string} */ name) =>
    name in params ? String(params[name]) : whole,
  );
}

// The label of a body member: the form's own (tip "dates" is "When"), else
// the member's name made readable.
/**
 * @param {string} intakeType
 * @param {string} name
 * @returns {string}
 */
export function bodyLabel(intakeType, name) {
  for (const key of [`body.${intakeType}.${name}`, `body.${name}`]) {
    const text = t(key);
    if (text !== key) return text;
  }
  const words = String(name).replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : words;
}

// 1536 → "1.5 KiB"; for limits and progress.
/**
 * @param {number} n
 * @returns {string}
 */
export function formatBytes(n) {
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? t("size.bytes", { count: n }) : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
