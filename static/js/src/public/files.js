// The attachment picker, enhanced: files chosen in several goes add up to one
// list, each with its size, a remove button and (while sending) a progress
// bar. The files stay in the browser until they are encrypted; the file input
// itself is emptied after each choice, so the list here is the only truth.

import { dataNumber, el } from "./dom.js";
import { formatBytes, t } from "./messages.js";
import { withoutMetadata } from "./metadata.js";

/**
 * The server's limits on a report's or a message's files (0: none).
 * @typedef {object} FileLimits
 * @property {number} maxFiles
 * @property {number} maxBytes per file
 */

/**
 * One chosen file's row in the list.
 * @typedef {object} FileRow
 * @property {HTMLLIElement} row
 * @property {HTMLProgressElement} progress
 * @property {HTMLSpanElement} state
 * @property {HTMLButtonElement} remove
 */

export class FilePicker {
  /**
   * @param {HTMLInputElement} input
   * @param {FileLimits & { onChange?: () => void }} limits
   */
  constructor(input, { maxFiles, maxBytes, onChange }) {
    this.input = input;
    this.maxFiles = maxFiles;
    this.maxBytes = maxBytes;
    this.onChange = onChange || (() => {});
    /** @type {File[]} */
    this.files = [];
    /** @type {Map<File, FileRow>} */
    this.rows = new Map();
    this.list = el("ul", { class: "js-file-list", "aria-live": "polite" });
    this.error = el("p", { class: "field-error", id: `${input.id || input.name}-files-error`, hidden: true });
    // Ticked unless the reporter unticks it: photos lose their hidden details before encryption.
    this.stripBox = el("input", { type: "checkbox", id: `${input.id || input.name}-strip`, checked: true });
    const strip = el(
      "div",
      { class: "checkbox js-strip-metadata" },
      this.stripBox,
      el("label", { for: this.stripBox.id, text: t("files.strip_metadata") }),
    );
    input.after(strip, this.list, this.error);
    this.describe(input, this.error.id);
    input.addEventListener("change", () => this.add(Array.from(input.files || [])));
    this.render();
  }

  /**
   * @param {Element} node
   * @param {string} id
   */
  describe(node, id) {
    const ids = (node.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (!ids.includes(id)) node.setAttribute("aria-describedby", [...ids, id].join(" "));
  }

  /** @param {File[]} chosen */
  add(chosen) {
    const problems = [];
    for (const file of chosen) {
      if (this.maxBytes && file.size > this.maxBytes) {
        problems.push(t("files.too_large", { name: file.name, max: formatBytes(this.maxBytes) }));
      } else if (this.maxFiles && this.files.length >= this.maxFiles) {
        problems.push(t("files.too_many", { max: this.maxFiles }));
        break;
      } else {
        this.files.push(file);
      }
    }
    // Empty the input: the same file can then be chosen again after removal.
    this.input.value = "";
    this.showError(problems.join(" "));
    this.render();
    this.onChange();
  }

  /** @param {File} file */
  remove(file) {
    this.files = this.files.filter((f) => f !== file);
    this.showError("");
    this.render();
    this.onChange();
    this.input.focus();
  }

  /** @param {string} text */
  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
    this.input.setAttribute("aria-invalid", text ? "true" : "false");
  }

  render() {
    this.rows.clear();
    this.list.replaceChildren();
    for (const file of this.files) {
      const progress = el("progress", { max: 1, value: 0, hidden: true, "aria-label": file.name });
      const state = el("span", { class: "js-file-state" });
      const remove = el("button", {
        type: "button",
        class: "link-button",
        "aria-label": t("files.remove", { name: file.name }),
        text: "×",
        onclick: () => this.remove(file),
      });
      const row = el(
        "li",
        { class: "js-file" },
        el("span", { class: "js-file-name", text: file.name }),
        el("span", { class: "js-file-size", text: formatBytes(file.size) }),
        remove,
        progress,
        state,
      );
      this.rows.set(file, { row, progress, state, remove });
      this.list.append(row);
    }
  }

  /**
   * The file as it will be encrypted: a photo without its hidden details if the box is ticked.
   * @param {File} file
   * @returns {Promise<File>}
   */
  async prepared(file) {
    return this.stripBox.checked ? withoutMetadata(file) : file;
  }

  // While sending: no more changes, and each file shows its own progress.
  /** @param {boolean} locked */
  lock(locked) {
    this.input.disabled = locked;
    this.stripBox.disabled = locked;
    for (const { remove } of this.rows.values()) remove.disabled = locked;
  }

  /**
   * @param {File} file
   * @param {number} fraction between 0 and 1
   * @param {string} [text] the file's state in words
   */
  progress(file, fraction, text) {
    const row = this.rows.get(file);
    if (!row) return;
    row.progress.hidden = false;
    row.progress.value = Math.max(0, Math.min(1, fraction));
    if (text !== undefined) row.state.textContent = text;
  }

  clear() {
    this.files = [];
    this.render();
  }
}

// The server renders its limits on the form (data-max-attachments,
// data-max-attachment-bytes).
/**
 * @param {HTMLElement} form
 * @returns {FileLimits}
 */
export function limitsOf(form) {
  return { maxFiles: dataNumber(form, "maxAttachments"), maxBytes: dataNumber(form, "maxAttachmentBytes") };
}
