// The public site's JSON API (docs/submission.md), over fetch/XHR to our own
// origin only (the CSP's connect-src 'self').
//
// Every state-changing request carries the form's CSRF token in X-CSRFToken.
// Errors come back as `{"error": code, "message": sentence}`; an ApiError
// keeps both so the page can show the server's sentence next to the form.

import { sleep } from "./dom.js";
import { t } from "./messages.js";

/** @typedef {Record<string, unknown>} JsonObject */

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status
   * @param {string} code the API's error code (`http_<status>` for a refusal without one)
   * @param {string} message a sentence to show
   * @param {JsonObject} [data] the whole JSON answer
   */
  constructor(status, code, message, data = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

// The request never reached the server, or its answer never came back.
export class NetworkError extends Error {
  constructor() {
    super(t("error.network"));
    this.name = "NetworkError";
  }
}

// Turn a non-2xx answer into an ApiError. Some refusals are not produced by
// the API views (a CSRF failure, the rate limiter) and may be HTML pages:
// those get our own sentence, never the page's markup.
/**
 * @param {Response} response
 * @returns {Promise<ApiError>}
 */
async function apiError(response) {
  /** @type {unknown} */
  let data = null;
  if ((response.headers.get("content-type") || "").includes("application/json")) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  const status = response.status;
  if (isObject(data)) {
    const code = typeof data.error === "string" ? data.error : `http_${status}`;
    const message =
      typeof data.message === "string" && data.message
        ? data.message
        : status === 429
          ? t("error.rate")
          : t("error.generic", { message: status });
    return new ApiError(status, code, message, data);
  }
  if (status === 429) return new ApiError(status, "rate_limited", t("error.rate"));
  if (status === 400) return new ApiError(status, "csrf", t("error.expired"));
  return new ApiError(status, `http_${status}`, t("error.generic", { message: `HTTP ${status}` }));
}

/**
 * @param {unknown} value
 * @returns {value is JsonObject}
 */
function isObject(value) {
  return Boolean(value) && typeof value === "object";
}

/**
 * @param {string} csrf
 * @param {string} type
 * @returns {Record<string, string>}
 */
function headers(csrf, type) {
  /** @type {Record<string, string>} */
  // The server answers in the page's language, which the reporter may have
  // picked on the page rather than in the browser (reporting/web/languages.py).
  const h = { Accept: "application/json", "Accept-Language": document.documentElement.lang || "en" };
  if (type) h["Content-Type"] = type;
  if (csrf) h["X-CSRFToken"] = csrf;
  return h;
}

/** @type {RequestInit} */
const FETCH_OPTIONS = {
  method: "POST",
  credentials: "same-origin",
  cache: "no-store",
  referrerPolicy: "no-referrer",
  redirect: "error",
};

/**
 * @param {string} url
 * @param {RequestInit} init
 * @returns {Promise<Response>}
 */
async function send(url, init) {
  let response;
  try {
    response = await fetch(url, { ...FETCH_OPTIONS, ...init });
  } catch {
    throw new NetworkError();
  }
  if (!response.ok) throw await apiError(response);
  return response;
}

// POST a JSON body, return the parsed JSON answer.
/**
 * @param {string} url
 * @param {unknown} body
 * @param {string} csrf
 * @returns {Promise<unknown>}
 */
export async function postJSON(url, body, csrf) {
  const response = await send(url, { headers: headers(csrf, "application/json"), body: JSON.stringify(body) });
  try {
    return await response.json();
  } catch {
    throw new NetworkError();
  }
}

// POST a JSON body, return the answer's bytes (an attachment's ciphertext) as a Blob.
/**
 * @param {string} url
 * @param {unknown} body
 * @param {string} csrf
 * @returns {Promise<Blob>}
 */
export async function postForBlob(url, body, csrf) {
  const response = await send(url, { headers: headers(csrf, "application/json"), body: JSON.stringify(body) });
  try {
    return await response.blob();
  } catch {
    throw new NetworkError();
  }
}

// POST raw bytes (a Uint8Array) with upload progress. fetch() cannot report upload
// progress, XMLHttpRequest can, and on a slow Tor circuit a part of several
// MiB takes long enough that the bar must move within it.
/**
 * @param {string} url
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @param {string} csrf
 * @param {(loaded: number) => void} [onProgress]
 * @returns {Promise<unknown>} the parsed JSON answer
 */
export function postBytes(url, bytes, csrf, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(headers(csrf, "application/octet-stream"))) {
      xhr.setRequestHeader(name, value);
    }
    xhr.responseType = "text";
    if (onProgress) xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded));
    xhr.addEventListener("error", () => reject(new NetworkError()));
    xhr.addEventListener("abort", () => reject(new NetworkError()));
    xhr.addEventListener("timeout", () => reject(new NetworkError()));
    xhr.addEventListener("load", () => {
      const data = jsonOrNull(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        if (data === null) reject(new NetworkError());
        else resolve(data);
        return;
      }
      // Reuse the fetch path's mapping of refusals.
      const response = new Response(xhr.responseText, {
        status: xhr.status,
        headers: { "content-type": xhr.getResponseHeader("content-type") || "" },
      });
      apiError(response).then(reject, reject);
    });
    xhr.send(bytes);
  });
}

/**
 * @param {string} text
 * @returns {unknown} the JSON value, or null for text that is not JSON
 */
function jsonOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// What to tell the reporter about a failure: the server's sentence for a
// refusal, ours for a network failure, else `fallback`.
/**
 * @param {unknown} err
 * @param {string} fallback
 * @returns {string}
 */
export function apiMessage(err, fallback) {
  return err instanceof ApiError || err instanceof NetworkError ? err.message : fallback;
}

// Worth trying again as it is: the connection failed, a proxy answered for a
// server that is restarting (502, 503, 504 without our own error code), or an
// upload is still busy with a part whose answer we never got.
/**
 * @param {unknown} err
 * @returns {boolean}
 */
export function isTransient(err) {
  if (err instanceof NetworkError) return true;
  if (!(err instanceof ApiError)) return false;
  if (err.code === "upload_busy") return true;
  return [502, 503, 504].includes(err.status) && err.code.startsWith("http_");
}

// Retry `attempt` on transient failures with growing pauses (1 s, 2 s, 4 s …
// up to 30 s). `onRetry(seconds)` lets the page say what is happening.
// Refusals are not retried here.
/**
 * @template T
 * @param {(attempt: number) => Promise<T>} attempt called with 1, 2, …
 * @param {{ onRetry?: ((seconds: number) => void) | undefined, tries?: number }} [options]
 * @returns {Promise<T>}
 */
export async function withRetry(attempt, { onRetry, tries = 7 } = {}) {
  let pause = 1;
  for (let i = 1; ; i++) {
    try {
      return await attempt(i);
    } catch (err) {
      if (!isTransient(err) || i >= tries) throw err;
      if (onRetry) onRetry(pause);
      await sleep(pause * 1000);
      pause = Math.min(pause * 2, 30);
    }
  }
}
