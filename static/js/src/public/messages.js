// Every sentence the scripts show, in one place, so that they can be
// translated like the templates.
//
// A page may carry translations (rendered through Flask-Babel) as an inert
// template, which needs no inline script:
//   <template id="vigil-messages"><span data-message="key">text</span>…</template>
// Keys missing there fall back to the English below. `{name}` placeholders
// are filled by t().

/** @type {Readonly<Record<string, string>>} */
const ENGLISH = {
  "field.required": "This field is required.",
  "field.too_long": "This is too long: at most {max} characters.",
  "field.email": "Enter an e-mail address like name@example.org.",
  "field.number": "Enter a number.",
  "field.lines": "Give at most {max}, one per line.",
  "field.pattern": "This does not have the expected form.",
  "field.tick": "Tick this box to continue.",
  "form.has_errors": "Please correct the {count} marked field(s) below.",
  "files.too_many": "You can attach at most {max} files.",
  "files.too_large": "“{name}” is too large: at most {max} per file.",
  "files.remove": "Remove {name}",
  "rows.add": "Add another",
  "rows.remove": "Remove",
  "rows.remove_named": "Remove {label}",
  "rows.removed": "Entry removed.",
  "rows.added": "{label} added.",
  "step.keys": "Creating your receipt and encryption keys…",
  "step.pow": "Checking that this is not an automated submission…",
  "step.encrypt_upload": "Encrypting and uploading “{name}” ({index} of {count})…",
  "step.retry": "The connection was interrupted. Trying again in {seconds} s…",
  "step.send": "Sending your encrypted report…",
  "file.encrypting": "Encrypting and uploading…",
  "file.done": "Uploaded (encrypted).",
  "file.failed": "Upload failed.",
  "error.network": "The connection to Vigil failed. Check your connection and try again; nothing has been sent yet.",
  "error.expired": "This form has expired. Copy what you wrote somewhere safe, reload the page and send it again.",
  "error.rate": "Too many reports were sent in a short time. Wait a minute and try again.",
  "error.generic": "Your report could not be sent: {message}",
  "error.crypto":
    "Your browser could not encrypt the report. Try another browser, or turn JavaScript off to use the plain form.",
  "error.file_read": "“{name}” could not be read. It may have been moved or changed while it was being sent.",
  "receipt.title": "Your report has been received",
  "receipt.reference": "Case reference:",
  "receipt.reference_note": "(you may quote it; it does not open your case).",
  "receipt.heading": "Your receipt",
  "receipt.copy": "Copy receipt",
  "receipt.only_way": "This receipt is the only way back to your report.",
  "receipt.use": "With it you can read the investigators' questions, answer them and add information or files.",
  "receipt.not_kept":
    "Vigil does not keep it and cannot show it again or send it to you. If you lose it, nobody can recover it.",
  "receipt.private": "Anyone who has it can read your report and the replies: keep it private.",
  "receipt.where":
    "Write it on paper or keep it in a password manager you trust. Do not keep it on a work computer or phone, and do not e-mail it to yourself.",
  "receipt.next_tip":
    "An investigator will acknowledge your report within seven days. Come back with your receipt to read their replies and answer their questions.",
  "receipt.next_disclosure":
    "File the full narrative of your disclosure within 180 days of this notification, on the follow-up page, with this receipt.",
  "receipt.followup_before": "To follow up, open",
  "receipt.followup_link": "Follow up on a report",
  "receipt.followup_after": "and enter your receipt.",
  "receipt.saved": "I have saved my receipt",
  "receipt.finish": "Finish",
  "receipt.copied": "Receipt copied. Paste it somewhere only you can reach, then clear your clipboard.",
  "receipt.copy_failed": "Copying did not work here. Select the receipt and copy it, or write it down.",
  "receipt.leave_warning":
    "You have not confirmed that you saved your receipt. Without it you cannot come back to your report.",
  "followup.opening": "Opening your case…",
  "followup.not_found": "No case matches this receipt. Check that you typed it exactly as it was shown.",
  "followup.malformed":
    "This is not a receipt: a receipt has 24 letters and digits, such as 7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC.",
  "followup.cannot_decrypt": "Your case was found but could not be decrypted in this browser.",
  "followup.sending": "Encrypting and sending your message…",
  "followup.sent": "Your message was sent.",
  "followup.part_sent": "This stage of your disclosure was received.",
  "followup.downloading": "Downloading and decrypting…",
  "followup.download_failed": "This file could not be downloaded or decrypted.",
  "followup.no_messages": "No messages yet.",
  "followup.closed": "The report is closed on this page. Your receipt was not stored in this browser.",
  "case.title": "Your report {reference}",
  "case.status": "Status",
  "case.received": "Received",
  "case.ack_due": "Acknowledgement due by",
  "case.feedback_due": "Feedback due by",
  "case.narrative_due": "Full narrative due",
  "case.reported": "What you reported",
  "case.unopened": "This part could not be opened.",
  "case.message_unopened": "This message could not be opened.",
  "case.parts": "Later stages",
  "case.narrative": "Full narrative",
  "case.supplement": "Supplement",
  "case.messages": "Messages",
  "case.you_wrote": "You wrote",
  "case.investigator_wrote": "An investigator wrote",
  "case.yes": "Yes",
  "case.file": "File {number}",
  "case.download": "Download",
  "case.write": "Write a message or add information",
  "case.write_hint": "Your message and files are encrypted in this browser before they are sent.",
  "case.your_message": "Your message",
  "case.send": "Send",
  "case.files": "Files",
  "case.files_hint": "File names and types are encrypted with the files.",
  "case.next_stage": "File the next stage of your disclosure",
  "case.stage": "Stage",
  "case.narrative_label": "Narrative",
  "case.certify":
    "I certify that this is true and complete to the best of my knowledge, and that I am authorised to make it on behalf of the company.",
  "case.file_stage": "File this stage",
  "case.close": "Close this report",
  "status.new": "Received, waiting to be read",
  "status.acknowledged": "Acknowledged",
  "status.investigating": "Being investigated",
  "status.referred": "Referred to another authority",
  "status.closed": "Closed",
  // The forms' labels by body member (forms.py), to show a decrypted body.
  "body.what_happened": "What happened?",
  "body.goods": "Goods",
  "body.parties": "Parties",
  "body.route": "Route and countries",
  "body.tip.dates": "When",
  "body.dates": "Dates",
  "body.payment": "Payment",
  "body.how_known": "How do you know this?",
  "body.conflicts": "People who must not see this report",
  "body.company": "Company",
  "body.company_address": "Company address",
  "body.contact_name": "Contact person",
  "body.contact_role": "Their position",
  "body.contact_email": "Their e-mail address",
  "body.contact_phone": "Their telephone number",
  "body.violation": "The violation",
  "body.items": "Items",
  "body.licences": "Licence numbers",
  "body.corrective_actions": "Corrective actions",
  "body.certified": "Certified",
};

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
  const template = typeof own[key] === "string" ? own[key] : ENGLISH[key] || key;
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
  return unit === 0 ? `${n} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
