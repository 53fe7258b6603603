// The follow-up page: the reporter types the receipt and this script opens
// the case in the browser (docs/submission.md, "Following up").
//
// From the receipt: the lookup token (sent, to find the case) and the
// reporter's private key (never sent), which opens the reporter wrap to get
// rk; rk then opens the body, the later stages, the messages and the files.
// The receipt and keys live only in this closure; "Close" drops them.

import { ApiError, NetworkError, postForBlob, postJSON } from "./api.js";
import { csrfToken, el, focusOn } from "./dom.js";
import { FilePicker, limitsOf } from "./files.js";
import { formatBytes, t } from "./messages.js";
import { renderValue } from "./render.js";
import { ciphertextEstimate, uploadFile } from "./upload.js";
import { checkControl } from "./validate.js";

const STATUS_LABELS = {
  new: "Received, waiting to be read",
  acknowledged: "Acknowledged",
  investigating: "Being investigated",
  referred: "Referred to another authority",
  closed: "Closed",
};
const DEADLINE_LABELS = {
  ack_due: "Acknowledgement due",
  feedback_due: "Feedback due",
  narrative_due: "Full narrative due (180 days after the initial notification)",
};
const PART_LABELS = { narrative: "Full narrative", full_narrative: "Full narrative", supplement: "Supplement" };

function formatHour(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  // The server keeps hours only; show them in UTC so nothing is implied.
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function formatDay(iso) {
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

export function enhanceFollowup(form, V) {
  const input = form.querySelector('input[name="receipt"]') || form.querySelector('input[type="text"], input[type="password"]');
  const alert = el("div", { class: "js-alert notice error", role: "alert", tabindex: "-1", hidden: true });
  form.prepend(alert);
  const status = el("p", { class: "js-progress-text", role: "status", "aria-live": "polite" });
  form.append(status);
  form.noValidate = true;
  const csrf = () => csrfToken(form);
  let view = null;

  const showAlert = (text) => {
    alert.textContent = text;
    alert.hidden = !text;
    if (text) focusOn(alert);
  };

  const fieldError = (text) => {
    input.setCustomValidity(text);
    checkControl(input);
    input.setCustomValidity("");
    if (text) input.focus();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showAlert("");
    fieldError("");
    let keys;
    try {
      const secret = V.parseReceipt(input.value);
      keys = { token: V.b64encode(V.lookupToken(secret)), secret: V.reporterKeyPair(secret).secretKey };
    } catch {
      fieldError(t("followup.malformed"));
      return;
    }
    const button = form.querySelector('button[type="submit"], input[type="submit"]');
    if (button) button.disabled = true;
    status.textContent = t("followup.opening");
    try {
      const data = await postJSON("/api/case", { lookup_token: keys.token }, csrf());
      const rk = V.unwrapReportKey(V.b64decode(data.reporter_wrap), keys.secret);
      keys.secret.fill(0);
      const opened = openCase(V, data, rk);
      input.value = "";
      status.textContent = "";
      view = new CaseView(form, V, keys.token, opened, csrf, () => {
        view = null;
      });
    } catch (err) {
      status.textContent = "";
      if (err instanceof ApiError && err.status === 404) fieldError(t("followup.not_found"));
      else if (err instanceof ApiError || err instanceof NetworkError) showAlert(err.message);
      else showAlert(t("followup.cannot_decrypt"));
    } finally {
      if (button) button.disabled = false;
    }
  });
  return () => view;
}

// Decrypt everything the server returned. A message that does not open is
// shown as unreadable rather than hiding the rest of the case.
function openCase(V, data, rk) {
  const body = V.openRecord(rk, V.RecordKind.BODY, V.b64decode(data.body));
  const tryOpen = (kind, record) => {
    try {
      return V.openRecord(rk, kind, V.b64decode(record));
    } catch {
      return null;
    }
  };
  const parts = (data.parts || []).map((p) => ({ ...p, content: tryOpen(V.RecordKind.BODY, p.record || p.body) }));
  const messages = (data.messages || []).map((m) => ({ ...m, content: tryOpen(V.RecordKind.MESSAGE, m.record) }));
  return { rk, data, body, parts, messages, attachments: data.attachments || [] };
}

class CaseView {
  constructor(form, V, token, opened, csrf, onClose) {
    this.form = form;
    this.V = V;
    this.token = token;
    this.csrf = csrf;
    this.onClose = onClose;
    this.container = el("div", { class: "case-view", "data-case-view": true });
    form.hidden = true;
    form.after(this.container);
    this.render(opened);
  }

  async reload(message) {
    const data = await postJSON("/api/case", { lookup_token: this.token }, this.csrf());
    // rk cannot change for a case: reuse it instead of keeping the receipt around.
    const opened = openCase(this.V, data, this.opened.rk);
    this.render(opened, message);
  }

  close() {
    if (this.opened) this.opened.rk.fill(0);
    this.opened = null;
    this.container.remove();
    this.form.hidden = false;
    this.onClose();
    focusOn(this.form.querySelector("input"));
  }

  render(opened, flash) {
    this.opened = opened;
    const { data } = opened;
    const heading = el("h2", { text: `Your case ${data.reference || ""}`.trim() });
    const byGroup = (predicate) => opened.attachments.filter(predicate);
    const deadlines = data.deadlines && typeof data.deadlines === "object" ? data.deadlines : {};
    const deadlineItems = Object.entries(deadlines)
      .filter(([, v]) => v)
      .map(([k, v]) => [el("dt", { text: DEADLINE_LABELS[k] || k }), el("dd", { text: formatDay(v) })]);

    this.container.replaceChildren(
      heading,
      flash ? el("p", { class: "notice ok", role: "status", text: flash }) : null,
      el(
        "dl",
        { class: "case-facts" },
        el("dt", { text: "Status" }),
        el("dd", { class: "case-status", text: STATUS_LABELS[data.status] || data.status }),
        el("dt", { text: "Received" }),
        el("dd", { text: formatHour(data.received_hour) }),
        ...deadlineItems.flat(),
      ),
      el("h3", { text: "What you reported" }),
      renderValue(opened.body),
      this.attachmentList(byGroup((a) => !a.message && !a.part)),
      ...opened.parts.flatMap((part) => [
        el("h3", { text: `${PART_LABELS[part.kind] || part.kind} · ${formatHour(part.submitted_hour || part.created_hour)}` }),
        part.content ? renderValue(part.content) : el("p", { text: t("followup.unreadable") }),
        this.attachmentList(byGroup((a) => a.part === part.id)),
      ]),
      el("h3", { text: "Messages" }),
      this.thread(opened, byGroup),
      this.replyForm(),
      data.intake_type === "disclosure" ? this.partForm() : null,
      el("p", {}, el("button", { type: "button", class: "secondary", text: "Close this case", onclick: () => this.close() })),
    );
    focusOn(heading);
  }

  thread(opened, byGroup) {
    if (!opened.messages.length) return el("p", { class: "hint", text: t("followup.no_messages") });
    return el(
      "ol",
      { class: "thread" },
      ...opened.messages.map((m) => {
        const mine = m.author === "reporter";
        const text = m.content && typeof m.content.text === "string" ? m.content.text : null;
        return el(
          "li",
          { class: `message ${mine ? "from-reporter" : "from-investigator"}`, "data-message-id": m.id },
          el("p", { class: "message-meta" }, el("strong", { text: mine ? t("followup.you") : t("followup.investigator") }), ` · ${formatHour(m.created_hour)}`),
          text !== null ? el("p", { class: "message-text", text }) : m.content ? renderValue(m.content) : el("p", { class: "hint", text: t("followup.unreadable") }),
          this.attachmentList(byGroup((a) => a.message === m.id)),
        );
      }),
    );
  }

  attachmentList(items) {
    if (!items.length) return null;
    return el(
      "ul",
      { class: "attachments" },
      ...items.map((a) => {
        const state = el("span", { class: "hint", role: "status" });
        const button = el("button", {
          type: "button",
          class: "link-button",
          text: `Download and decrypt file ${a.id} (${formatBytes(a.size)})`,
          onclick: () => this.download(a, button, state),
        });
        return el("li", {}, button, " ", state);
      }),
    );
  }

  async download(attachment, button, state) {
    button.disabled = true;
    state.textContent = t("followup.downloading");
    try {
      const blob = await postForBlob(`/api/case/attachments/${encodeURIComponent(attachment.id)}`, { lookup_token: this.token }, this.csrf());
      const file = await this.V.decryptAttachment(this.opened.rk, blob);
      // Offered as bytes, never as the type from inside the file: a blob of
      // type text/html opened here would run in our origin.
      const url = URL.createObjectURL(new Blob([file.data], { type: "application/octet-stream" }));
      const link = el("a", { href: url, download: safeName(file.name), hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      state.textContent = `${safeName(file.name)} (${formatBytes(file.size)})`;
    } catch (err) {
      state.textContent = err instanceof ApiError || err instanceof NetworkError ? err.message : t("followup.download_failed");
    } finally {
      button.disabled = false;
    }
  }

  // Uploads `files` under rk, then POSTs `payload(ids)` to `url`.
  async sendWithFiles(url, picker, payload, say) {
    const ids = [];
    for (const file of picker.files) {
      const total = ciphertextEstimate(file.size);
      picker.progress(file, 0, t("file.encrypting"));
      ids.push(
        await uploadFile(this.opened.rk, file, this.csrf(), {
          V: this.V,
          onBytes: (sent) => picker.progress(file, sent / total),
          onRetry: (seconds) => say(t("step.retry", { seconds })),
        }),
      );
      picker.progress(file, 1, t("file.done"));
    }
    return postJSON(url, payload(ids), this.csrf());
  }

  composer({ id, title, intro, extra, textLabel, submitText, build, url, sentText }) {
    const textId = `${id}-text`;
    const filesId = `${id}-files`;
    const text = el("textarea", { id: textId, name: "text", rows: 6, maxlength: 20000 });
    const files = el("input", { id: filesId, type: "file", multiple: true });
    const status = el("p", { class: "js-progress-text", role: "status", "aria-live": "polite" });
    const alert = el("p", { class: "notice error", role: "alert", hidden: true, tabindex: "-1" });
    const submit = el("button", { type: "submit", text: submitText });
    const form = el(
      "form",
      { class: "composer", id, "aria-labelledby": `${id}-title`, novalidate: true },
      el("h3", { id: `${id}-title`, text: title }),
      intro ? el("p", { class: "hint", text: intro }) : null,
      alert,
      extra || null,
      el("label", { for: textId, text: textLabel }),
      text,
      el("label", { for: filesId, text: "Files (optional; encrypted before they are sent)" }),
      files,
      status,
      submit,
    );
    const picker = new FilePicker(files, limitsOf(this.form));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      alert.hidden = true;
      if (!text.value.trim() && !picker.files.length) {
        alert.textContent = t("followup.empty_message");
        alert.hidden = false;
        text.focus();
        return;
      }
      submit.disabled = true;
      picker.lock(true);
      status.textContent = t("followup.sending");
      try {
        const record = this.V.b64encode(build(text.value));
        await this.sendWithFiles(url, picker, (attachments) => ({ lookup_token: this.token, record, attachments, ...(extra ? { kind: extra.querySelector("select").value } : {}) }), (s) => {
          status.textContent = s;
        });
        await this.reload(sentText);
      } catch (err) {
        status.textContent = "";
        alert.textContent = err instanceof ApiError || err instanceof NetworkError ? err.message : t("error.crypto");
        alert.hidden = false;
        focusOn(alert);
        submit.disabled = false;
        picker.lock(false);
      }
    });
    return form;
  }

  replyForm() {
    return this.composer({
      id: "reply",
      title: "Write to the investigators",
      intro: "Your message and files are encrypted in this browser before they are sent.",
      textLabel: "Your message",
      submitText: "Send message",
      url: "/api/case/messages",
      sentText: t("followup.sent"),
      build: (text) => this.V.sealRecord(this.opened.rk, this.V.RecordKind.MESSAGE, { author: "reporter", text }),
    });
  }

  partForm() {
    const select = el(
      "select",
      { id: "part-kind", name: "kind" },
      el("option", { value: "full_narrative", text: "Full narrative" }),
      el("option", { value: "supplement", text: "Supplement" }),
    );
    return this.composer({
      id: "part",
      title: "File a later stage of your disclosure",
      intro: "The full narrative is due 180 days after the initial notification.",
      extra: el("div", {}, el("label", { for: "part-kind", text: "Stage" }), select),
      textLabel: "Narrative",
      submitText: "File this stage",
      url: "/api/case/parts",
      sentText: t("followup.part_sent"),
      build: (text) => this.V.sealRecord(this.opened.rk, this.V.RecordKind.BODY, { stage: select.value, narrative: text }),
    });
  }
}
