"""Every sentence the public site's scripts show (static/js/src/public/), by key.

The scripts carry no sentences of their own: each public page renders these,
in the page's language, into an inert ``<template id="vigil-messages">`` that
static/js/src/public/messages.js reads (no inline script: the CSP forbids
it). ``{name}`` placeholders are the script's to fill; translations keep them.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

__all__ = ["SCRIPT_MESSAGES"]

SCRIPT_MESSAGES: dict[str, LazyString] = {
    "field.required": _l("This field is required."),
    "field.required_mark": _l("(required)"),
    "field.too_long": _l("This is too long: at most {max} characters."),
    "field.email": _l("Enter an e-mail address like name@example.org."),
    "field.number": _l("Enter a number."),
    "field.lines": _l("Give at most {max}, one per line."),
    "field.pattern": _l("This does not have the expected form."),
    "field.tick": _l("Tick this box to continue."),
    "form.has_errors": _l("Please correct the {count} marked field(s) below."),
    "files.too_many": _l("You can attach at most {max} files."),
    "files.too_large": _l("“{name}” is too large: at most {max} per file."),
    "files.strip_metadata": _l(
        "Remove hidden details (camera, place, author) from photos (JPEG, PNG) before they are "
        "encrypted"
    ),
    "files.remove": _l("Remove {name}"),
    "rows.add": _l("Add another"),
    "rows.remove": _l("Remove"),
    "rows.remove_named": _l("Remove {label}"),
    "rows.removed": _l("Entry removed."),
    "rows.added": _l("{label} added."),
    "step.keys": _l("Creating your receipt and encryption keys…"),
    "step.pow": _l("Checking that this is not an automated submission…"),
    "step.encrypt_upload": _l("Encrypting and uploading “{name}” ({index} of {count})…"),
    "step.retry": _l("The connection was interrupted. Trying again in {seconds} s…"),
    "pow.usual": _l("On this device this check usually takes about {seconds} s."),
    "pow.overdue": _l(
        "This check is taking longer than usual. That is chance, not a fault: "
        "on average it needs about {seconds} s more."
    ),
    "step.send": _l("Sending your encrypted report…"),
    "file.encrypting": _l("Encrypting and uploading…"),
    "file.done": _l("Uploaded (encrypted)."),
    "file.failed": _l("Upload failed."),
    "error.network": _l(
        "The connection to Vigil failed. Check your connection and try again; nothing has"
        " been sent yet."
    ),
    "error.expired": _l(
        "This form has expired. Copy what you wrote somewhere safe, reload the page and "
        "send it again."
    ),
    "error.rate": _l("Too many reports were sent in a short time. Wait a minute and try again."),
    "error.generic": _l("Your report could not be sent: {message}"),
    "error.crypto": _l(
        "Your browser could not encrypt the report. Try another browser, or turn "
        "JavaScript off to use the plain form."
    ),
    "error.file_read": _l(
        "“{name}” could not be read. It may have been moved or changed while it was being sent."
    ),
    "receipt.title": _l("Your report has been received"),
    "receipt.reference": _l("Case reference:"),
    "receipt.reference_note": _l("(you may quote it; it does not open your case)."),
    "receipt.heading": _l("Your receipt"),
    "receipt.copy": _l("Copy receipt"),
    "receipt.only_way": _l("This receipt is the only way back to your report."),
    "receipt.use": _l(
        "With it you can read the investigators' questions, answer them and add "
        "information or files."
    ),
    "receipt.not_kept": _l(
        "Vigil does not keep it and cannot show it again or send it to you. If you lose "
        "it, nobody can recover it."
    ),
    "receipt.private": _l(
        "Anyone who has it can read your report and the replies: keep it private."
    ),
    "receipt.where": _l(
        "Write it on paper or keep it in a password manager you trust. Do not keep it on "
        "a work computer or phone, and do not e-mail it to yourself."
    ),
    "receipt.where_disclosure": _l(
        "Keep it with the records of this disclosure, where only the people responsible "
        "for it can reach it, not in a shared folder or an e-mail."
    ),
    "receipt.confirmation_heading": _l("Filing confirmation"),
    "receipt.confirmation_keep": _l(
        "Keep this dated confirmation with your records: it shows when you filed and what, "
        "and anyone can check that this site signed it."
    ),
    "receipt.confirmation": _l("Download the filing confirmation"),
    "case.confirmation_initial": _l("Filing confirmation of the initial notification"),
    "case.confirmation_stage": _l("Filing confirmation of this stage"),
    "confirmation.failed": _l("The filing confirmation could not be downloaded."),
    "receipt.next_tip": _l(
        "An investigator will acknowledge your report within seven days. Come back with "
        "your receipt to read their replies and answer their questions."
    ),
    "receipt.next_disclosure": _l(
        "File the full narrative of your disclosure within 180 days of this notification,"
        " on the follow-up page, with this receipt."
    ),
    "receipt.followup_link": _l("Follow-up page"),
    "receipt.saved": _l("I have saved my receipt"),
    "receipt.finish": _l("Finish"),
    "receipt.copied": _l(
        "Receipt copied. Paste it somewhere only you can reach, then clear your clipboard."
    ),
    "receipt.copy_failed": _l(
        "Copying did not work here. Select the receipt and copy it, or write it down."
    ),
    "receipt.leave_warning": _l(
        "You have not confirmed that you saved your receipt. Without it you cannot come "
        "back to your report."
    ),
    "followup.opening": _l("Opening your case…"),
    "followup.not_found": _l(
        "No case matches this receipt. Check that you typed it exactly as it was shown."
    ),
    "followup.malformed": _l(
        "This is not a receipt: a receipt has 24 letters and digits, such as "
        "7KQ2-M9XD-T4RA-0WZB-E1HN-Q5PC."
    ),
    "followup.cannot_decrypt": _l(
        "Your case was found but could not be decrypted in this browser."
    ),
    "followup.sending": _l("Encrypting and sending your message…"),
    "followup.sent": _l("Your message was sent."),
    "followup.part_sent": _l("This stage of your disclosure was received."),
    "followup.downloading": _l("Downloading and decrypting…"),
    "followup.download_failed": _l("This file could not be downloaded or decrypted."),
    "followup.no_messages": _l("No messages yet."),
    "followup.closed": _l(
        "The report is closed on this page. Your receipt was not stored in this browser."
    ),
    "case.title": _l("Your report {reference}"),
    "case.status": _l("Status"),
    "case.received": _l("Received"),
    "case.ack_due": _l("Acknowledgement due by"),
    "case.feedback_due": _l("Feedback due by"),
    "case.narrative_due": _l("Full narrative due"),
    "case.reported": _l("What you reported"),
    "case.unopened": _l("This part could not be opened."),
    "case.message_unopened": _l("This message could not be opened."),
    "case.parts": _l("Later stages"),
    "case.narrative": _l("Full narrative"),
    "case.supplement": _l("Supplement"),
    "case.messages": _l("Messages"),
    "case.you_wrote": _l("You wrote"),
    "case.investigator_wrote": _l("An investigator wrote"),
    "case.yes": _l("Yes"),
    "case.file": _l("File {number}"),
    "case.download": _l("Download"),
    "case.write": _l("Write a message or add information"),
    "case.write_hint": _l(
        "Your message and files are encrypted in this browser before they are sent."
    ),
    "case.your_message": _l("Your message"),
    "case.send": _l("Send"),
    "case.files": _l("Files"),
    "case.files_hint": _l("File names and types are encrypted with the files."),
    "case.next_stage": _l("File the next stage of your disclosure"),
    "case.stage": _l("Stage"),
    "case.narrative_label": _l("Narrative"),
    "case.certify": _l(
        "I certify that this is true and complete to the best of my knowledge, and that I"
        " am authorised to make it on behalf of the company."
    ),
    "case.file_stage": _l("File this stage"),
    "case.close": _l("Close this report"),
    "status.new": _l("Received, waiting to be read"),
    "status.acknowledged": _l("Acknowledged"),
    "status.investigating": _l("Being investigated"),
    "status.referred": _l("Referred to another authority"),
    "status.closed": _l("Closed"),
    "body.what_happened": _l("What happened?"),
    "body.goods": _l("Goods"),
    "body.parties": _l("Parties"),
    "body.route": _l("Route and countries"),
    "body.tip.dates": _l("When"),
    "body.dates": _l("Dates"),
    "body.payment": _l("Payment"),
    "body.how_known": _l("How do you know this?"),
    "body.conflicts": _l("People who must not see this report"),
    "body.company": _l("Company"),
    "body.company_address": _l("Company address"),
    "body.contact_name": _l("Contact person"),
    "body.contact_role": _l("Their position"),
    "body.contact_email": _l("Their e-mail address"),
    "body.contact_phone": _l("Their telephone number"),
    "body.violation": _l("The violation"),
    "body.items": _l("Items"),
    "body.licences": _l("Licence numbers"),
    "body.corrective_actions": _l("Corrective actions"),
    "body.certified": _l("Certified"),
    "size.bytes": _l("{count} bytes"),
}
