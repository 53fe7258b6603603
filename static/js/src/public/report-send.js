// Sending a report from the browser (docs/submission.md). Order of work:
//   1. receipt → reporter key pair and lookup token (crypto.md, "Receipt")
//   2. report key rk; each file encrypted under rk and uploaded in parts
//   3. proof of work (started at once, in a worker, while files upload)
//   4. body sealed under rk, rk wrapped to the intake and reporter keys,
//      POST /api/reports
// A ReportSender keeps the receipt, rk and the finished uploads from one try
// to the next, so a large file is not uploaded twice after a failure.

import { ApiError, NetworkError, postJSON, withRetry } from "./api.js";
import { csrfToken, dataNumber } from "./dom.js";
import { t } from "./messages.js";
import { proofOfWork } from "./pow.js";
import { ciphertextEstimate, partBytesFor, uploadFile } from "./upload.js";

/** @import { FilePicker } from "./files.js" */
/** @import { Proof, SolvedChallenge } from "./pow.js" */
/** @import { SendingStatus } from "./report-status.js" */
/** @import { VigilCrypto } from "./vigil.js" */

/**
 * What is kept across tries of the same page.
 * @typedef {object} Attempt
 * @property {string} receipt
 * @property {Uint8Array} reporterPublic
 * @property {string} token the lookup token, base64
 * @property {Uint8Array} rk the report key
 * @property {Map<File, string>} uploads each file uploaded so far, with its upload id
 */

/**
 * The server's answer to a stored report.
 * @typedef {object} StoredReport
 * @property {string} reference
 */

// A solved challenge is solved again before use when it is this close to the
// end of its life (the server renders the lifetime on the form as
// data-pow-lifetime-seconds): a large upload over Tor can outlast a challenge.
const POW_MARGIN_MS = 5 * 60 * 1000;

// A file that could not be read while it was encrypted (moved, changed, gone).
export class FileReadError extends Error {
  /** @param {string} fileName */
  constructor(fileName) {
    super("file read");
    this.fileName = fileName;
  }
}

/**
 * @param {VigilCrypto} V
 * @param {HTMLElement} form
 * @returns {Uint8Array}
 */
function intakeKey(V, form) {
  const key = V.b64decode(form.dataset.intakeKey || "");
  if (key.length !== 32) throw new V.VigilCryptoError("intake key missing from the page");
  return key;
}

/**
 * @param {VigilCrypto} V
 * @returns {Attempt}
 */
function newAttempt(V) {
  const receipt = V.generateReceipt();
  return {
    receipt,
    reporterPublic: V.reporterKeyPair(receipt).publicKey,
    token: V.b64encode(V.lookupToken(receipt)),
    rk: V.generateReportKey(),
    uploads: new Map(),
  };
}

// POST /api/reports is not idempotent. If an answer was lost, the report
// may have been stored: before sending again, and when the server says the
// lookup token is taken (409), ask for the case with the token. It can only
// be ours: the token comes from the receipt made on this page.
/**
 * @param {string} token
 * @param {string} csrf
 * @returns {Promise<StoredReport | null>}
 */
async function storedAlready(token, csrf) {
  try {
    const existing = /** @type {Partial<StoredReport> | null} */ (
      await postJSON("/api/case", { lookup_token: token }, csrf)
    );
    return existing && existing.reference ? { reference: existing.reference } : null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/**
 * @param {Record<string, unknown>} payload
 * @param {string} token the payload's lookup token
 * @param {string} csrf
 * @param {(seconds: number) => void} onRetry
 * @returns {Promise<StoredReport>}
 */
function submitOnce(payload, token, csrf, onRetry) {
  return withRetry(
    async (attempt) => {
      const existing = attempt > 1 ? await storedAlready(token, csrf) : null;
      if (existing) return existing;
      try {
        return /** @type {StoredReport} */ (await postJSON("/api/reports", payload, csrf));
      } catch (err) {
        if (err instanceof ApiError && err.code === "conflict") {
          const stored = await storedAlready(token, csrf);
          if (stored) return stored;
        }
        throw err;
      }
    },
    { onRetry },
  );
}

export class ReportSender {
  /**
   * @param {HTMLFormElement} form
   * @param {VigilCrypto} V
   * @param {SendingStatus} status
   * @param {FilePicker | null} picker
   */
  constructor(form, V, status, picker) {
    this.form = form;
    this.V = V;
    this.status = status;
    this.picker = picker;
    this.intakeType = form.dataset.intakeType || "";
    /** @type {Attempt | null} kept across tries of the same page */
    this.attempt = null;
    /** @param {number} seconds */
    this.onRetry = (seconds) => this.status.say(t("step.retry", { seconds }));
    /** @param {import("./pow.js").PowProgress} progress */
    this.onPow = (progress) => this.status.powProgress(progress);
  }

  // Encrypt and send; resolves to the stored report, the receipt that opens it and its lookup token.
  /**
   * @param {Record<string, unknown>} body
   * @param {File[]} files
   * @returns {Promise<{ result: StoredReport, receipt: string, token: string }>}
   */
  async send(body, files) {
    const csrf = csrfToken(this.form);
    this.status.say(t("step.keys"));
    if (this.attempt === null) this.attempt = newAttempt(this.V);
    const attempt = this.attempt;
    const intake = intakeKey(this.V, this.form);
    // The work runs (in WebCrypto, off the page's thread) while the files
    // upload; a failure to get a challenge surfaces when it is awaited.
    const pow = proofOfWork(csrf, this.onPow);
    pow.catch(() => {});
    await this.uploadFiles(attempt, files, csrf);
    this.status.say(t("step.pow"));
    let solved = await this.fresh(await pow, csrf);
    this.status.powProgress("done");
    this.status.say(t("step.send"));
    /** @param {Proof} proof */
    const payload = (proof) => this.payload(attempt, intake, body, files, proof);
    let result;
    try {
      result = await submitOnce(payload(solved.pow), attempt.token, csrf, this.onRetry);
    } catch (err) {
      // A used or expired challenge: solve a fresh one, once.
      if (!(err instanceof ApiError && err.code === "proof_of_work")) throw err;
      this.status.say(t("step.pow"));
      solved = await proofOfWork(csrf, this.onPow);
      this.status.say(t("step.send"));
      result = await submitOnce(payload(solved.pow), attempt.token, csrf, this.onRetry);
    }
    this.attempt = null;
    return { result, receipt: attempt.receipt, token: attempt.token };
  }

  // Each file not uploaded by an earlier try, encrypted under rk, in turn.
  /**
   * @param {Attempt} attempt
   * @param {File[]} files
   * @param {string} csrf
   */
  async uploadFiles(attempt, files, csrf) {
    const picker = this.picker;
    if (!picker) return;
    const partBytes = partBytesFor(this.form);
    for (const [index, file] of files.entries()) {
      if (attempt.uploads.has(file)) continue;
      const step = t("step.encrypt_upload", { name: file.name, index: index + 1, count: files.length });
      this.status.say(step);
      picker.progress(file, 0, t("file.encrypting"));
      let id;
      try {
        const prepared = await picker.prepared(file);
        const total = ciphertextEstimate(prepared.size);
        id = await uploadFile(attempt.rk, prepared, csrf, {
          V: this.V,
          partBytes,
          onBytes: (sent) => picker.progress(file, sent / total),
          onRetry: this.onRetry,
        });
      } catch (err) {
        picker.progress(file, 0, t("file.failed"));
        if (err instanceof this.V.VigilCryptoError) throw new FileReadError(file.name);
        throw err;
      }
      attempt.uploads.set(file, id);
      picker.progress(file, 1, t("file.done"));
      this.status.say(step);
    }
  }

  // The solved challenge, or a new one if it is about to expire.
  /**
   * @param {SolvedChallenge} solved
   * @param {string} csrf
   * @returns {Promise<SolvedChallenge>}
   */
  async fresh(solved, csrf) {
    const lifetimeMs = dataNumber(this.form, "powLifetimeSeconds", Infinity) * 1000;
    if (Date.now() - solved.issued > lifetimeMs - POW_MARGIN_MS) return proofOfWork(csrf, this.onPow);
    return solved;
  }

  // The request body of POST /api/reports: the body sealed under rk, rk
  // wrapped to the intake key and to the reporter's own.
  /**
   * @param {Attempt} attempt
   * @param {Uint8Array} intake the intake public key
   * @param {Record<string, unknown>} body
   * @param {File[]} files
   * @param {Proof} proof
   * @returns {Record<string, unknown>}
   */
  payload(attempt, intake, body, files, proof) {
    const V = this.V;
    return {
      intake_type: this.intakeType,
      envelope: {
        v: 1,
        body: V.b64encode(V.sealRecord(attempt.rk, V.RecordKind.BODY, body)),
        wraps: {
          intake: V.b64encode(V.wrapReportKey(attempt.rk, intake)),
          reporter: V.b64encode(V.wrapReportKey(attempt.rk, attempt.reporterPublic)),
        },
      },
      lookup_token: attempt.token,
      attachments: files.map((f) => attempt.uploads.get(f)),
      pow: proof,
    };
  }

  // Why sending failed, in words; an upload the server no longer has, or
  // refused, is forgotten so that the next try uploads the files again.
  /**
   * @param {unknown} err
   * @returns {string}
   */
  failure(err) {
    if (err instanceof ApiError) {
      if (this.attempt && (err.code === "invalid_upload" || err.status === 404)) this.attempt.uploads.clear();
      return err.message;
    }
    if (err instanceof NetworkError) return err.message;
    if (err instanceof FileReadError) return t("error.file_read", { name: err.fileName });
    return t("error.crypto");
  }
}
