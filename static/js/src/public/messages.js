// Every sentence the scripts show, in one place, so that they can be
// translated like the templates.
//
// A page may carry translations (rendered through Flask-Babel) as an inert
// template, which needs no inline script:
//   <template id="vigil-messages"><span data-message="key">text</span>…</template>
// Keys missing there fall back to the English below. `{name}` placeholders
// are filled by t().

const ENGLISH = {
  "field.required": "This field is required.",
  "field.too_long": "This is too long: at most {max} characters.",
  "field.email": "Enter an e-mail address like name@example.org.",
  "field.number": "Enter a number.",
  "field.pattern": "This does not have the expected form.",
  "field.certify": "Tick this box to certify the disclosure.",
  "form.has_errors": "Please correct the {count} marked field(s) below.",
  "files.too_many": "You can attach at most {max} files.",
  "files.too_large": "“{name}” is too large: at most {max} per file.",
  "files.remove": "Remove {name}",
  "files.none": "No files chosen.",
  "rows.add": "Add another",
  "rows.remove": "Remove this entry",
  "rows.removed": "Entry removed.",
  "rows.added": "Entry added.",
  "step.keys": "Creating your receipt and encryption keys…",
  "step.pow": "Checking that this is not an automated submission…",
  "step.pow_progress": "Anti-abuse check: {percent}%",
  "step.encrypt_upload": "Encrypting and uploading “{name}” ({index} of {count})…",
  "step.retry": "The connection was interrupted. Trying again in {seconds} s…",
  "step.send": "Sending your encrypted report…",
  "step.done": "Your report has been received.",
  "file.encrypting": "Encrypting and uploading…",
  "file.done": "Uploaded (encrypted).",
  "file.waiting": "Waiting.",
  "file.failed": "Upload failed.",
  "error.network": "The connection to Vigil failed. Check your connection and try again; nothing has been sent yet.",
  "error.expired": "This form has expired. Copy what you wrote somewhere safe, reload the page and send it again.",
  "error.rate": "Too many reports were sent in a short time. Wait a minute and try again.",
  "error.generic": "Your report could not be sent: {message}",
  "error.crypto": "Your browser could not encrypt the report. Try another browser, or turn JavaScript off to use the plain form.",
  "error.file_read": "“{name}” could not be read. It may have been moved or changed while it was being sent.",
  "receipt.title": "Your report has been received",
  "receipt.reference": "Case reference:",
  "receipt.reference_note": "(you may quote it; it does not open your case).",
  "receipt.heading": "Your receipt",
  "receipt.copy": "Copy receipt",
  "receipt.only_way": "This receipt is the only way back to your report.",
  "receipt.use": "With it you can read the investigators' questions, answer them and add information or files.",
  "receipt.not_kept": "Vigil does not keep it and cannot show it again or send it to you. If you lose it, nobody can recover it.",
  "receipt.private": "Anyone who has it can read your report and the replies: keep it private.",
  "receipt.where": "Write it on paper or keep it in a password manager you trust. Do not keep it on a work computer or phone, and do not e-mail it to yourself.",
  "receipt.come_back": "Come back in a few days to see whether the investigators have questions.",
  "receipt.followup_before": "To follow up, open",
  "receipt.followup_link": "Follow up on a report",
  "receipt.followup_after": "and enter your receipt.",
  "receipt.saved": "I have saved my receipt",
  "receipt.finish": "Finish",
  "receipt.copied": "Receipt copied. Paste it somewhere only you can reach, then clear your clipboard.",
  "receipt.copy_failed": "Copying did not work here. Select the receipt and copy it, or write it down.",
  "receipt.leave_warning": "You have not confirmed that you saved your receipt. Without it you cannot come back to your report.",
  "followup.opening": "Opening your case…",
  "followup.not_found": "No case was found for this receipt. Check that you typed it exactly as it was shown.",
  "followup.malformed": "This is not a valid receipt. A receipt has 24 letters and digits in six groups, like 7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC.",
  "followup.cannot_decrypt": "Your case was found but could not be decrypted in this browser.",
  "followup.sending": "Encrypting and sending your message…",
  "followup.sent": "Your message was sent.",
  "followup.part_sent": "The new stage of your disclosure was filed.",
  "followup.empty_message": "Write a message or attach a file.",
  "followup.downloading": "Downloading and decrypting…",
  "followup.download_failed": "This file could not be downloaded or decrypted.",
  "followup.no_messages": "No messages yet.",
  "followup.you": "You",
  "followup.investigator": "Investigator",
  "followup.unreadable": "(this message could not be decrypted)",
  "followup.closed": "You have closed the case view. Your receipt was not stored in this browser.",
};

let loaded = null;

function translations() {
  if (loaded === null) {
    loaded = {};
    const block = document.getElementById("vigil-messages");
    if (block && block.content) {
      for (const node of block.content.querySelectorAll("[data-message]")) {
        loaded[node.dataset.message] = node.textContent;
      }
    }
  }
  return loaded;
}

export function t(key, params = {}) {
  const own = translations();
  const template = typeof own[key] === "string" ? own[key] : ENGLISH[key] || key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// 1536 → "1.5 KiB"; for limits and progress.
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
