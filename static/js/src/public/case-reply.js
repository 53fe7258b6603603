// What the reporter sends back on the case: a message, or the next stage of a
// disclosure, each with files. Both forms seal their record under rk, upload
// their files under rk, and post both; the server sees neither text nor files.

import { apiMessage, postJSON } from "./api.js";
import { BODY_FORMAT, submittedText } from "./body.js";
import { el, focusOn } from "./dom.js";
import { FilePicker } from "./files.js";
import { t } from "./messages.js";
import { ciphertextEstimate, uploadFile } from "./upload.js";
import { checkControl } from "./validate.js";

/** @import { CaseContext } from "./case-thread.js" */
/** @import { FormControl } from "./dom.js" */

/**
 * A labelled control: the control, its label and an optional hint.
 * @typedef {[FormControl, string] | [FormControl, string, string]} LabelledControl
 */

/**
 * @typedef {object} ComposerOptions
 * @property {string} id the form's id
 * @property {LabelledControl[]} controls before the files
 * @property {LabelledControl[]} [after] after the files
 * @property {string} submitText
 * @property {string} url where to post
 * @property {() => Record<string, unknown>} payload what to post besides the token and the files
 * @property {string} sentText what to say once it is sent
 */

/**
 * What to do once something was sent: show the case again, with `notice`.
 * @typedef {(notice: string) => Promise<void>} Sent
 */

/**
 * @param {FormControl} control
 * @param {string} labelText
 * @param {string} [hint]
 * @returns {HTMLElement}
 */
function field(control, labelText, hint) {
  const hintNode = hint ? el("p", { class: "hint", id: `${control.id}-hint`, text: hint }) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  // Marked as the server's forms mark a field that must be filled in (templates/public/_forms.html).
  const label = el(
    "label",
    { for: control.id },
    labelText,
    control.required ? " " : null,
    control.required ? el("span", { class: "required", text: t("field.required_mark") }) : null,
  );
  if (control.type === "checkbox") {
    return el("div", { class: "field" }, el("div", { class: "checkbox" }, control, label));
  }
  return el("div", { class: "field" }, label, hintNode, control);
}

// Encrypt and upload the chosen files in turn; resolves to their upload ids.
/**
 * @param {FilePicker} picker
 * @param {CaseContext} ctx
 * @param {HTMLElement} status
 * @returns {Promise<string[]>}
 */
async function uploadChosen(picker, ctx, status) {
  const ids = [];
  for (const [index, file] of picker.files.entries()) {
    status.textContent = t("step.encrypt_upload", { name: file.name, index: index + 1, count: picker.files.length });
    picker.progress(file, 0, t("file.encrypting"));
    const prepared = await picker.prepared(file);
    const total = ciphertextEstimate(prepared.size);
    ids.push(
      await uploadFile(ctx.rk, prepared, ctx.csrf(), {
        V: ctx.V,
        partBytes: ctx.limits.partBytes,
        onBytes: (sent) => picker.progress(file, sent / total),
        onRetry: (seconds) => {
          status.textContent = t("step.retry", { seconds });
        },
      }),
    );
    picker.progress(file, 1, t("file.done"));
  }
  return ids;
}

// A form that seals `payload()` under rk, uploads its files under rk, and
// posts both to `url`. Shared by the message and the later-stage forms.
/**
 * @param {ComposerOptions} options
 * @param {CaseContext} ctx
 * @param {Sent} sent
 * @returns {HTMLFormElement}
 */
function composer({ id, controls, after = [], submitText, url, payload, sentText }, ctx, sent) {
  const fileInput = el("input", { type: "file", id: `${id}-attachments`, multiple: true });
  const status = el("p", { class: "js-progress-text", role: "status", "aria-live": "polite" });
  const alert = el("div", { class: "js-alert notice error", role: "alert", tabindex: "-1", hidden: true });
  const submit = el("button", { type: "submit", text: submitText });
  const form = el(
    "form",
    { id, novalidate: true, class: "composer" },
    alert,
    ...controls.map(([control, labelText, hint]) => field(control, labelText, hint)),
    field(fileInput, t("case.files"), t("case.files_hint")),
    ...after.map(([control, labelText, hint]) => field(control, labelText, hint)),
    status,
    submit,
  );
  const picker = new FilePicker(fileInput, ctx.limits.files);
  const parts = { controls: [...controls, ...after].map(([control]) => control), picker, status, alert, submit };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send(parts, ctx, async (attachments) => {
      await postJSON(url, { lookup_token: ctx.token, ...payload(), attachments }, ctx.csrf());
      await sent(sentText);
    });
  });
  return form;
}

/**
 * A composer's elements that sending uses.
 * @typedef {object} ComposerParts
 * @property {FormControl[]} controls
 * @property {FilePicker} picker
 * @property {HTMLElement} status
 * @property {HTMLElement} alert
 * @property {HTMLButtonElement} submit
 */

// Check the fields, upload the files, and `post` what refers to them; on a
// failure the form is given back, with the reason in its alert.
/**
 * @param {ComposerParts} parts
 * @param {CaseContext} ctx
 * @param {(attachments: string[]) => Promise<void>} post
 */
async function send({ controls, picker, status, alert, submit }, ctx, post) {
  alert.hidden = true;
  const invalid = controls.filter((control) => !checkControl(control));
  if (invalid[0]) {
    invalid[0].focus();
    return;
  }
  submit.disabled = true;
  picker.lock(true);
  try {
    const attachments = await uploadChosen(picker, ctx, status);
    status.textContent = t("followup.sending");
    await post(attachments);
  } catch (err) {
    status.textContent = "";
    alert.textContent = apiMessage(err, t("error.crypto"));
    alert.hidden = false;
    focusOn(alert);
    submit.disabled = false;
    picker.lock(false);
  }
}

/**
 * @param {CaseContext} ctx
 * @param {Sent} sent
 * @returns {HTMLElement}
 */
export function messageForm(ctx, sent) {
  const { V, rk } = ctx;
  const text = el("textarea", {
    id: "text",
    name: "text",
    rows: 6,
    required: true,
    maxlength: ctx.limits.messageMax || null,
  });
  return el(
    "section",
    { "aria-labelledby": "reply-heading" },
    el("h2", { id: "reply-heading", text: t("case.write") }),
    el("p", { class: "hint", text: t("case.write_hint") }),
    composer(
      {
        id: "message-form",
        controls: [[text, t("case.your_message")]],
        submitText: t("case.send"),
        url: "/api/case/messages",
        sentText: t("followup.sent"),
        // followup_forms.py MessageForm.to_record: the same members in the same order.
        payload: () => ({
          record: V.b64encode(
            V.sealRecord(rk, V.RecordKind.MESSAGE, {
              format: BODY_FORMAT,
              author: "reporter",
              text: submittedText(text),
            }),
          ),
        }),
      },
      ctx,
      sent,
    ),
  );
}

/**
 * @param {CaseContext} ctx
 * @param {Sent} sent
 * @param {boolean} hasNarrative whether the full narrative is filed already
 * @returns {HTMLElement}
 */
export function partForm(ctx, sent, hasNarrative) {
  const { V, rk } = ctx;
  const stage = el(
    "select",
    { id: "stage", name: "stage" },
    // The stage due next is chosen: the full narrative until it is filed.
    hasNarrative ? null : el("option", { value: "full_narrative", text: t("case.narrative"), selected: true }),
    el("option", { value: "supplement", text: t("case.supplement"), selected: hasNarrative }),
  );
  const narrative = el("textarea", {
    id: "narrative",
    name: "narrative",
    rows: 10,
    required: true,
    maxlength: ctx.limits.narrativeMax || null,
  });
  const certified = el("input", { type: "checkbox", id: "certified", name: "certified", required: true });
  return el(
    "section",
    { "aria-labelledby": "part-heading" },
    el("h2", { id: "part-heading", text: t("case.next_stage") }),
    composer(
      {
        id: "part-form",
        controls: [
          [stage, t("case.stage")],
          [narrative, t("case.narrative_label")],
        ],
        // After the files, as on the page without scripts: certify what is filed.
        after: [[certified, t("case.certify")]],
        submitText: t("case.file_stage"),
        url: "/api/case/parts",
        sentText: t("followup.part_sent"),
        // followup_forms.py PartForm.to_body: the same members in the same order.
        payload: () => ({
          kind: stage.value,
          record: V.b64encode(
            V.sealRecord(rk, V.RecordKind.BODY, {
              form: "disclosure",
              format: BODY_FORMAT,
              narrative: submittedText(narrative),
              certified: certified.checked,
              stage: stage.value,
            }),
          ),
        }),
      },
      ctx,
      sent,
    ),
  );
}
