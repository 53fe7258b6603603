// The follow-up page with JavaScript: the reporter types the receipt and the
// case is opened here, in the browser (docs/submission.md, "Following up").
//
// From the receipt come the lookup token (sent, to find the case) and the
// reporter's private key (never sent), which opens the reporter wrap to give
// rk; rk opens the body, the later stages, the messages and the files, and
// seals what the reporter sends back. Without JavaScript the server does the
// same in memory (templates/public/case.html); this view mirrors that page.
// The receipt is not kept: only the token and rk, in this closure, until
// "Close" drops them.

import { ApiError, NetworkError, postForBlob, postJSON } from "./api.js";
import { BODY_FORMAT, submittedText } from "./body.js";
import { csrfToken, el, focusOn } from "./dom.js";
import { FilePicker, limitsOf } from "./files.js";
import { bodyLabel, formatBytes, t } from "./messages.js";
import { ciphertextEstimate, uploadFile } from "./upload.js";
import { checkControl } from "./validate.js";

// forms.py: LONG for a message, NARRATIVE for a later stage.
const MESSAGE_MAX = 20_000;
const NARRATIVE_MAX = 50_000;
const NOT_SHOWN = new Set(["form", "format", "stage"]);

function hour(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return el("span", { text: String(iso || "") });
  // The server keeps hours only; shown in UTC, as the page without scripts does.
  const text = `${date.toISOString().slice(0, 13).replace("T", " ")}:00 UTC`;
  return el("time", { datetime: iso, text });
}

function day(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().slice(0, 10);
}

// A file name from inside the ciphertext, made safe to offer as a download name.
function safeName(name) {
  const cleaned = String(name || "")
    .replace(/[\u0000-\u001f\u007f/\\]/g, "_")
    .replace(/^\.+/, "")
    .slice(0, 200);
  return cleaned || "attachment";
}

function apiMessage(err, fallback) {
  return err instanceof ApiError || err instanceof NetworkError ? err.message : fallback;
}

export function enhanceFollowup(form, V) {
  const input = form.querySelector('input[name="receipt"]');
  if (!input) return;
  const main = form.closest("main") || form.parentElement;
  const serverError = document.getElementById("followup-error");
  const status = el("p", { class: "js-progress-text", role: "status", "aria-live": "polite" });
  form.querySelector('button[type="submit"]')?.before(status);
  const button = form.querySelector('button[type="submit"]');
  const alert = el("div", { class: "js-alert notice error", role: "alert", tabindex: "-1", hidden: true });
  form.prepend(alert);
  form.noValidate = true;
  // A receipt is not a word: no spelling fixes, no autofill suggestions, capitals.
  input.setAttribute("autocomplete", "off");
  input.setAttribute("autocapitalize", "characters");
  input.setAttribute("spellcheck", "false");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    if (serverError) serverError.hidden = true;
    let token;
    let secretKey;
    try {
      const secret = V.parseReceipt(input.value);
      token = V.b64encode(V.lookupToken(secret));
      secretKey = V.reporterKeyPair(secret).secretKey;
      secret.fill(0);
    } catch {
      checkControl(input, input.value.trim() ? t("followup.malformed") : t("field.required"));
      input.focus();
      return;
    }
    checkControl(input, "");
    if (button) button.disabled = true;
    status.textContent = t("followup.opening");
    try {
      const data = await postJSON("/api/case", { lookup_token: token }, csrfToken(form));
      let rk;
      try {
        rk = V.unwrapReportKey(V.b64decode(data.reporter_wrap), secretKey);
      } catch {
        throw new Error("undecryptable");
      }
      input.value = "";
      status.textContent = "";
      new CaseView({ V, main, csrf: () => csrfToken(form), token, rk, limits: limitsOf(form) }).show(data);
    } catch (err) {
      status.textContent = "";
      if (err instanceof ApiError && err.status === 404) {
        // The same words for an unknown receipt and a wrong one: the server cannot tell them apart either.
        checkControl(input, err.message || t("followup.not_found"));
        input.focus();
      } else {
        alert.textContent = apiMessage(err, t("followup.cannot_decrypt"));
        alert.hidden = false;
        focusOn(alert);
      }
    } finally {
      secretKey.fill(0);
      if (button) button.disabled = false;
    }
  });
}

class CaseView {
  constructor({ V, main, csrf, token, rk, limits }) {
    Object.assign(this, { V, main, csrf, token, rk, limits });
    // The receipt form and the rest of the page come back on "Close".
    this.page = Array.from(main.childNodes);
    this.root = el("div", { class: "case-view", "data-case-view": true });
  }

  open(kind, record) {
    try {
      return this.V.openRecord(this.rk, kind, this.V.b64decode(record));
    } catch {
      return null; // shown as "could not be opened"; the rest of the case still shows
    }
  }

  show(data, notice) {
    this.data = data;
    const { RecordKind } = this.V;
    const body = this.open(RecordKind.BODY, data.body);
    const parts = (data.parts || []).map((part) => ({ part, body: this.open(RecordKind.BODY, part.body) }));
    const messages = (data.messages || []).map((message) => ({
      message,
      content: this.open(RecordKind.MESSAGE, message.record),
    }));
    const files = (predicate) => (data.attachments || []).filter(predicate);
    const hasNarrative = parts.some(({ part }) => part.kind === "full_narrative");
    const heading = el("h1", { text: t("case.title", { reference: data.reference }) });

    const children = [
      heading,
      notice ? el("div", { class: "notice ok", role: "status" }, el("p", { text: notice })) : null,
      this.facts(data, hasNarrative),
      el(
        "section",
        { "aria-labelledby": "reported-heading" },
        el("h2", { id: "reported-heading", text: t("case.reported") }),
        body === null ? el("p", { text: t("case.unopened") }) : this.bodyList(body, data.intake_type),
        this.attachmentList(files((a) => a.message === null && a.part === null)),
      ),
      parts.length
        ? el(
            "section",
            { "aria-labelledby": "parts-heading" },
            el("h2", { id: "parts-heading", text: t("case.parts") }),
            ...parts.map(({ part, body: partBody }) =>
              el(
                "article",
                { class: "part" },
                el(
                  "h3",
                  {},
                  t(part.kind === "full_narrative" ? "case.narrative" : "case.supplement"),
                  ", ",
                  hour(part.submitted_hour),
                ),
                partBody === null
                  ? el("p", { text: t("case.unopened") })
                  : el("p", { class: "text", text: String(partBody.narrative || "") }),
                this.attachmentList(files((a) => a.part === part.id)),
              ),
            ),
          )
        : null,
      el(
        "section",
        { "aria-labelledby": "messages-heading" },
        el("h2", { id: "messages-heading", text: t("case.messages") }),
        ...(messages.length
          ? messages.map(({ message, content }) =>
              el(
                "article",
                { class: `message ${message.author}`, "data-message-id": message.id },
                el(
                  "h3",
                  {},
                  t(message.author === "reporter" ? "case.you_wrote" : "case.investigator_wrote"),
                  ", ",
                  hour(message.created_hour),
                ),
                content === null || typeof content.text !== "string"
                  ? el("p", { text: t("case.message_unopened") })
                  : el("p", { class: "text", text: content.text }),
                this.attachmentList(files((a) => a.message === message.id)),
              ),
            )
          : [el("p", { text: t("followup.no_messages") })]),
      ),
      this.messageForm(),
      data.intake_type === "disclosure" ? this.partForm(hasNarrative) : null,
      el(
        "p",
        { class: "case-close" },
        el("button", { type: "button", class: "secondary", text: t("case.close"), onclick: () => this.close() }),
      ),
    ];
    // (The DOM's replaceChildren would write a null as the text "null".)
    this.root.replaceChildren(...children.filter(Boolean));
    if (!this.root.isConnected) this.main.replaceChildren(this.root);
    focusOn(heading);
  }

  facts(data, hasNarrative) {
    const deadlines = data.deadlines || {};
    const rows = [
      [t("case.status"), el("span", { class: "case-status", text: t(`status.${data.status}`) })],
      [t("case.received"), hour(data.received_hour)],
    ];
    if (deadlines.ack_due) rows.push([t("case.ack_due"), el("span", { text: day(deadlines.ack_due) })]);
    if (deadlines.feedback_due) rows.push([t("case.feedback_due"), el("span", { text: day(deadlines.feedback_due) })]);
    if (deadlines.narrative_due && !hasNarrative) {
      rows.push([t("case.narrative_due"), el("span", { text: day(deadlines.narrative_due) })]);
    }
    return el(
      "dl",
      { class: "case-facts" },
      ...rows.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)]),
    );
  }

  // As the page without scripts shows a body: label, then the value as text.
  bodyList(body, intakeType) {
    const items = [];
    for (const [name, value] of Object.entries(body)) {
      if (NOT_SHOWN.has(name) || !value || (Array.isArray(value) && !value.length)) continue;
      let shown;
      if (value === true) shown = t("case.yes");
      else if (typeof value === "string") shown = el("span", { class: "text", text: value });
      else if (Array.isArray(value)) {
        shown = el(
          "ul",
          {},
          ...value.map((item) =>
            el("li", {
              text:
                item && typeof item === "object"
                  ? Object.values(item).filter(Boolean).map(String).join(" · ")
                  : String(item),
            }),
          ),
        );
      } else shown = el("span", { class: "text", text: JSON.stringify(value) });
      items.push(el("dt", { text: bodyLabel(intakeType, name) }), el("dd", {}, shown));
    }
    return el("dl", { class: "report-body" }, ...items);
  }

  attachmentList(items) {
    if (!items.length) return null;
    return el(
      "ul",
      { class: "attachments" },
      ...items.map((attachment, i) => {
        const name = el("span", {
          class: "attachment-name",
          text: `${t("case.file", { number: i + 1 })} (${formatBytes(attachment.size)})`,
        });
        const state = el("span", { class: "hint", role: "status" });
        const button = el("button", { type: "button", class: "secondary", text: t("case.download") });
        button.addEventListener("click", () => this.download(attachment, button, name, state));
        return el("li", { class: "attachment" }, name, " ", button, " ", state);
      }),
    );
  }

  // Fetch the ciphertext, decrypt it here, and offer the file under its own name.
  async download(attachment, button, name, state) {
    button.disabled = true;
    state.textContent = t("followup.downloading");
    try {
      const blob = await postForBlob(
        `/api/case/attachments/${encodeURIComponent(attachment.id)}`,
        { lookup_token: this.token },
        this.csrf(),
      );
      const file = await this.V.decryptAttachment(this.rk, blob);
      const fileName = safeName(file.name);
      // Offered as opaque bytes, never as the type named inside the file: a
      // blob of type text/html opened from here would run on our origin.
      const url = URL.createObjectURL(new Blob([file.data], { type: "application/octet-stream" }));
      const link = el("a", { href: url, download: fileName, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      name.textContent = `${fileName} (${formatBytes(file.size)})`;
      state.textContent = "";
    } catch (err) {
      state.textContent = apiMessage(err, t("followup.download_failed"));
    } finally {
      button.disabled = false;
    }
  }

  field(control, labelText, hint) {
    const hintNode = hint ? el("p", { class: "hint", id: `${control.id}-hint`, text: hint }) : null;
    if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
    if (control.type === "checkbox") {
      return el(
        "div",
        { class: "field" },
        el("div", { class: "checkbox" }, control, el("label", { for: control.id, text: labelText })),
      );
    }
    return el("div", { class: "field" }, el("label", { for: control.id, text: labelText }), hintNode, control);
  }

  // A form that seals `record()` under rk, uploads its files under rk, and
  // posts both to `url`. Shared by the message and the later-stage forms.
  composer({ id, controls, after = [], submitText, url, payload, sentText }) {
    const fileInput = el("input", { type: "file", id: `${id}-attachments`, multiple: true });
    const status = el("p", { class: "js-progress-text", role: "status", "aria-live": "polite" });
    const alert = el("div", { class: "js-alert notice error", role: "alert", tabindex: "-1", hidden: true });
    const submit = el("button", { type: "submit", text: submitText });
    const form = el(
      "form",
      { id, novalidate: true, class: "composer" },
      alert,
      ...controls.map(([control, labelText, hint]) => this.field(control, labelText, hint)),
      this.field(fileInput, t("case.files"), t("case.files_hint")),
      ...after.map(([control, labelText, hint]) => this.field(control, labelText, hint)),
      status,
      submit,
    );
    const picker = new FilePicker(fileInput, this.limits);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      alert.hidden = true;
      const invalid = [...controls, ...after].map(([control]) => control).filter((control) => !checkControl(control));
      if (invalid.length) {
        invalid[0].focus();
        return;
      }
      submit.disabled = true;
      picker.lock(true);
      try {
        const ids = [];
        for (const [index, file] of picker.files.entries()) {
          status.textContent = t("step.encrypt_upload", {
            name: file.name,
            index: index + 1,
            count: picker.files.length,
          });
          const total = ciphertextEstimate(file.size);
          picker.progress(file, 0, t("file.encrypting"));
          ids.push(
            await uploadFile(this.rk, file, this.csrf(), {
              V: this.V,
              onBytes: (sent) => picker.progress(file, sent / total),
              onRetry: (seconds) => {
                status.textContent = t("step.retry", { seconds });
              },
            }),
          );
          picker.progress(file, 1, t("file.done"));
        }
        status.textContent = t("followup.sending");
        await postJSON(url, { lookup_token: this.token, ...payload(), attachments: ids }, this.csrf());
        const data = await postJSON("/api/case", { lookup_token: this.token }, this.csrf());
        this.show(data, sentText);
      } catch (err) {
        status.textContent = "";
        alert.textContent = apiMessage(err, t("error.crypto"));
        alert.hidden = false;
        focusOn(alert);
        submit.disabled = false;
        picker.lock(false);
      }
    });
    return form;
  }

  messageForm() {
    const text = el("textarea", { id: "text", name: "text", rows: 6, required: true, maxlength: MESSAGE_MAX });
    return el(
      "section",
      { "aria-labelledby": "reply-heading" },
      el("h2", { id: "reply-heading", text: t("case.write") }),
      el("p", { class: "hint", text: t("case.write_hint") }),
      this.composer({
        id: "message-form",
        controls: [[text, t("case.your_message")]],
        submitText: t("case.send"),
        url: "/api/case/messages",
        sentText: t("followup.sent"),
        payload: () => ({
          record: this.V.b64encode(
            this.V.sealRecord(this.rk, this.V.RecordKind.MESSAGE, {
              format: BODY_FORMAT,
              author: "reporter",
              text: submittedText(text),
            }),
          ),
        }),
      }),
    );
  }

  partForm(hasNarrative) {
    const stage = el(
      "select",
      { id: "stage", name: "stage" },
      hasNarrative ? null : el("option", { value: "full_narrative", text: t("case.narrative") }),
      el("option", { value: "supplement", text: t("case.supplement"), selected: true }),
    );
    const narrative = el("textarea", {
      id: "narrative",
      name: "narrative",
      rows: 10,
      required: true,
      maxlength: NARRATIVE_MAX,
    });
    const certified = el("input", { type: "checkbox", id: "certified", name: "certified", required: true });
    return el(
      "section",
      { "aria-labelledby": "part-heading" },
      el("h2", { id: "part-heading", text: t("case.next_stage") }),
      this.composer({
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
        // forms.py PartForm.to_body: the same members in the same order.
        payload: () => ({
          kind: stage.value,
          record: this.V.b64encode(
            this.V.sealRecord(this.rk, this.V.RecordKind.BODY, {
              form: "disclosure",
              format: BODY_FORMAT,
              narrative: submittedText(narrative),
              certified: certified.checked,
              stage: stage.value,
            }),
          ),
        }),
      }),
    );
  }

  // Forget the case: wipe rk, put the receipt form back.
  close() {
    this.rk.fill(0);
    this.token = null;
    this.main.replaceChildren(...this.page);
    document.getElementById("case-closed")?.remove();
    const notice = el(
      "div",
      { class: "notice", role: "status", id: "case-closed" },
      el("p", { text: t("followup.closed") }),
    );
    this.main.querySelector("form")?.before(notice);
    focusOn(this.main.querySelector("h1"));
  }
}
