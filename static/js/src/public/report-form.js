// The tip and disclosure forms, encrypted in the browser.
//
// The server renders an ordinary form that works without JavaScript (the
// server then encrypts on arrival). When this script runs it takes the form
// over: it checks the fields, builds the same body JSON the server would,
// encrypts body and files here, uploads only ciphertext, and shows the
// receipt it made. Order of work:
//   1. receipt → reporter key pair and lookup token (crypto.md, "Receipt")
//   2. report key rk; each file encrypted under rk and uploaded in parts
//   3. proof of work (started at once, in a worker, while files upload)
//   4. body sealed under rk, rk wrapped to the intake and reporter keys,
//      POST /api/reports
// If sending fails the form is given back with the files still chosen; the
// receipt, rk and finished uploads are kept for the next try so a large file
// is not uploaded twice.

import { ApiError, NetworkError, postJSON, withRetry } from "./api.js";
import { collectBody } from "./body.js";
import { announcer, csrfToken, el, focusOn } from "./dom.js";
import { FilePicker, limitsOf } from "./files.js";
import { t } from "./messages.js";
import { proofOfWork } from "./pow.js";
import { showReceipt } from "./receipt-panel.js";
import { enhanceRepeats } from "./repeat.js";
import { ciphertextEstimate, uploadFile } from "./upload.js";
import { checkForm, liveChecks } from "./validate.js";

// A solved challenge older than this is solved again before use (the server
// accepts one for 30 minutes; a large upload over Tor can take longer).
const POW_FRESH_MS = 25 * 60 * 1000;

// While the report is being sent the answers cannot change: they are
// already sealed, or about to be. Text becomes read-only (still readable and
// focusable); choices and buttons are disabled. Returns the undo.
function freeze(form) {
  const changed = [];
  for (const control of form.querySelectorAll("input, select, textarea, button")) {
    if (control.type === "hidden") continue;
    const text =
      control.tagName === "TEXTAREA" ||
      (control.tagName === "INPUT" && !["checkbox", "radio", "file", "submit", "button"].includes(control.type));
    const property = text ? "readOnly" : "disabled";
    if (!control[property]) {
      control[property] = true;
      changed.push([control, property]);
    }
  }
  return () => {
    for (const [control, property] of changed) control[property] = false;
  };
}

function intakeKey(V, form) {
  const key = V.b64decode(form.dataset.intakeKey || "");
  if (key.length !== 32) throw new V.VigilCryptoError("intake key missing from the page");
  return key;
}

export function enhanceReportForm(form, V) {
  const intakeType = form.dataset.intakeType;
  // Tells screen readers that a row was added or removed.
  const announce = announcer(form);
  const alert = el("div", { class: "js-alert notice error", role: "alert", tabindex: "-1", hidden: true });
  form.prepend(alert);
  const progress = el(
    "div",
    { class: "js-progress", hidden: true },
    el("p", { class: "js-progress-text", role: "status", "aria-live": "polite" }),
    el("progress", { max: 1, value: 0, "aria-label": t("step.pow") }),
  );
  const submit = form.querySelector('button[type="submit"], input[type="submit"]');
  (submit || form.lastElementChild).before(progress);
  const progressText = progress.querySelector("p");
  const powBar = progress.querySelector("progress");

  const fileInput = form.querySelector('input[type="file"]');
  const picker = fileInput ? new FilePicker(fileInput, limitsOf(form)) : null;
  enhanceRepeats(form, announce);
  liveChecks(form);

  // Kept across tries of the same page (see the comment at the top).
  let session = null;
  let busy = false;
  const busyGuard = (event) => {
    event.preventDefault();
    event.returnValue = "";
  };

  const say = (text) => {
    progressText.textContent = text;
  };
  const showAlert = (text) => {
    alert.textContent = text;
    alert.hidden = !text;
    if (text) focusOn(alert);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    showAlert("");
    form.dataset.checked = "true";
    const invalid = checkForm(form);
    if (picker && picker.error.textContent) invalid.push(fileInput);
    if (invalid.length) {
      alert.textContent = t("form.has_errors", { count: invalid.length });
      alert.hidden = false;
      invalid[0].focus();
      return;
    }
    const body = collectBody(form, intakeType);
    const files = picker ? picker.files.slice() : [];
    busy = true;
    form.setAttribute("aria-busy", "true");
    const thaw = freeze(form);
    progress.hidden = false;
    window.addEventListener("beforeunload", busyGuard);
    try {
      const result = await send(body, files);
      window.removeEventListener("beforeunload", busyGuard);
      finish(result);
    } catch (err) {
      window.removeEventListener("beforeunload", busyGuard);
      busy = false;
      form.removeAttribute("aria-busy");
      thaw();
      progress.hidden = true;
      failed(err);
    }
  });

  async function send(body, files) {
    const csrf = csrfToken(form);
    say(t("step.keys"));
    if (session === null) {
      const receipt = V.generateReceipt();
      session = {
        receipt,
        reporterPublic: V.reporterKeyPair(receipt).publicKey,
        token: V.b64encode(V.lookupToken(receipt)),
        rk: V.generateReportKey(),
        uploads: new Map(),
      };
    }
    const intake = intakeKey(V, form);

    // The work runs in a worker while the files upload; a failure to get a
    // challenge surfaces when it is awaited.
    const onPow = (fraction) => {
      powBar.value = fraction;
    };
    let pow = proofOfWork(csrf, onPow);
    pow.catch(() => {});

    for (const [index, file] of files.entries()) {
      if (session.uploads.has(file)) continue;
      say(t("step.encrypt_upload", { name: file.name, index: index + 1, count: files.length }));
      const total = ciphertextEstimate(file.size);
      picker.progress(file, 0, t("file.encrypting"));
      let id;
      try {
        id = await uploadFile(session.rk, file, csrf, {
          V,
          onBytes: (sent) => picker.progress(file, sent / total),
          onRetry: (seconds) => say(t("step.retry", { seconds })),
        });
      } catch (err) {
        picker.progress(file, 0, t("file.failed"));
        if (err instanceof V.VigilCryptoError) throw new FileReadError(file.name);
        throw err;
      }
      session.uploads.set(file, id);
      picker.progress(file, 1, t("file.done"));
      say(t("step.encrypt_upload", { name: file.name, index: index + 1, count: files.length }));
    }

    say(t("step.pow"));
    let solved = await pow;
    if (Date.now() - solved.issued > POW_FRESH_MS) solved = await proofOfWork(csrf, onPow);
    powBar.value = 1;

    say(t("step.send"));
    const payload = () => ({
      intake_type: intakeType,
      envelope: {
        v: 1,
        body: V.b64encode(V.sealRecord(session.rk, V.RecordKind.BODY, body)),
        wraps: {
          intake: V.b64encode(V.wrapReportKey(session.rk, intake)),
          reporter: V.b64encode(V.wrapReportKey(session.rk, session.reporterPublic)),
        },
      },
      lookup_token: session.token,
      attachments: files.map((f) => session.uploads.get(f)),
      pow: solved.pow,
    });
    try {
      return await submitOnce(payload(), csrf);
    } catch (err) {
      // A used or expired challenge: solve a fresh one, once.
      if (err instanceof ApiError && err.code === "proof_of_work") {
        say(t("step.pow"));
        solved = await proofOfWork(csrf, onPow);
        say(t("step.send"));
        return submitOnce(payload(), csrf);
      }
      throw err;
    }
  }

  // POST /api/reports is not idempotent. If an answer was lost, the report
  // may have been stored: before sending again, and when the server says the
  // lookup token is taken (409), ask for the case with the token. It can only
  // be ours: the token comes from the receipt made on this page.
  async function storedAlready(csrf) {
    try {
      const existing = await postJSON("/api/case", { lookup_token: session.token }, csrf);
      return existing && existing.reference ? existing : null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  async function submitOnce(payload, csrf) {
    return withRetry(
      async (attempt) => {
        const existing = attempt > 1 ? await storedAlready(csrf) : null;
        if (existing) return existing;
        try {
          return await postJSON("/api/reports", payload, csrf);
        } catch (err) {
          if (err instanceof ApiError && err.code === "conflict") {
            const stored = await storedAlready(csrf);
            if (stored) return stored;
          }
          throw err;
        }
      },
      { onRetry: (seconds) => say(t("step.retry", { seconds })) },
    );
  }

  function finish(result) {
    const { receipt } = session;
    session = null;
    if (picker) picker.clear();
    const container = el("div", { class: "js-receipt-container" });
    form.replaceWith(container);
    // The page's lead and notices were about filling the form in.
    for (const node of document.querySelectorAll("[data-hide-after-submit], #form-errors")) node.hidden = true;
    showReceipt(container, {
      receipt,
      reference: result.reference,
      intakeType,
      followupUrl: form.dataset.followupUrl || "/followup",
      homeUrl: form.dataset.homeUrl || "/",
    });
  }

  function failed(err) {
    if (err instanceof ApiError) {
      // An upload the server no longer has, or refused: upload the files again.
      if (session && (err.code === "invalid_upload" || err.status === 404)) session.uploads.clear();
      showAlert(err.message);
    } else if (err instanceof NetworkError) {
      showAlert(err.message);
    } else if (err instanceof FileReadError) {
      showAlert(t("error.file_read", { name: err.fileName }));
    } else {
      showAlert(t("error.crypto"));
    }
  }
}

class FileReadError extends Error {
  constructor(fileName) {
    super("file read");
    this.fileName = fileName;
  }
}
