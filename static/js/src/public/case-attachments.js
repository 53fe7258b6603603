// A case's files: listed under the names and sizes they were sent with,
// opened here from the first bytes of each (the server cannot read them),
// fetched, decrypted here and offered under their own names.

import { apiMessage, postForBlob } from "./api.js";
import { el, offerDownload } from "./dom.js";
import { formatBytes, t } from "./messages.js";

/** @import { CaseContext, CaseAttachment } from "./case-thread.js" */

// A file name from inside the ciphertext, made safe to offer as a download
// name, no longer than the server's downloads make it.
/**
 * @param {string} name
 * @param {number} maxLength
 * @returns {string}
 */
function safeName(name, maxLength) {
  const cleaned = String(name || "")
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001f\u007f/\\]/g, "_")
    .replace(/^\.+/, "")
    .slice(0, maxLength || undefined);
  return cleaned || "attachment";
}

// "File 2" until the sealed name and size are open, then "report.pdf (1.2 MiB)";
// a file whose metadata cannot be opened keeps its number.
/**
 * @param {CaseContext} ctx
 * @param {CaseAttachment} attachment
 * @param {HTMLElement} label
 */
async function showSentName(ctx, attachment, label) {
  try {
    const info = await ctx.V.openAttachmentInfo(ctx.rk, ctx.V.b64decode(attachment.head), attachment.size);
    label.textContent = `${safeName(info.name, ctx.limits.fileNameMax)} (${formatBytes(info.size)})`;
  } catch {
    // The download says whether the file itself opens.
  }
}

/**
 * @param {CaseAttachment[]} items
 * @param {CaseContext} ctx
 * @returns {HTMLElement | null}
 */
export function attachmentList(items, ctx) {
  if (!items.length) return null;
  return el(
    "ul",
    { class: "attachments" },
    ...items.map((attachment, i) => {
      const name = el("span", { class: "attachment-name", text: t("case.file", { number: i + 1 }) });
      void showSentName(ctx, attachment, name);
      const state = el("span", { class: "hint", role: "status" });
      const button = el("button", { type: "button", class: "secondary", text: t("case.download") });
      button.addEventListener("click", () => download(ctx, attachment, { button, name, state }));
      return el("li", { class: "attachment" }, name, " ", button, " ", state);
    }),
  );
}

// Fetch the ciphertext, decrypt it here, and offer the file under its own name.
/**
 * @param {CaseContext} ctx
 * @param {CaseAttachment} attachment
 * @param {{ button: HTMLButtonElement, name: HTMLElement, state: HTMLElement }} row
 */
async function download(ctx, attachment, { button, name, state }) {
  button.disabled = true;
  state.textContent = t("followup.downloading");
  try {
    const blob = await postForBlob(
      `/api/case/attachments/${encodeURIComponent(attachment.id)}`,
      { lookup_token: ctx.token },
      ctx.csrf(),
    );
    const file = await ctx.V.decryptAttachment(ctx.rk, blob);
    const fileName = safeName(file.name, ctx.limits.fileNameMax);
    offerDownload(file.data, fileName);
    name.textContent = `${fileName} (${formatBytes(file.size)})`;
    state.textContent = "";
  } catch (err) {
    state.textContent = apiMessage(err, t("followup.download_failed"));
  } finally {
    button.disabled = false;
  }
}
