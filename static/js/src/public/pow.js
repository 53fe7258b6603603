// Proof of work for anonymous submissions: ask the server for a challenge,
// solve it, hand back what POST /api/reports wants in its `pow` member.
//
// The search runs in a Web Worker when the browser lets us start one from our
// own origin (the CSP's worker-src falls back to script-src 'self'); if that
// fails for any reason it runs on the main thread in short slices between
// timers, so the page keeps answering the keyboard and the progress bar moves.

import { postJSON } from "./api.js";
import { find } from "./dom.js";
import { searcher } from "./pow-core.js";

/** @import { PowProgress, PowTask } from "./pow-worker.js" */

/**
 * What POST /api/reports wants in its `pow` member.
 * @typedef {object} Proof
 * @property {string} challenge
 * @property {string} nonce
 */

/**
 * A solved challenge, and when it was asked for (Date.now()).
 * @typedef {object} SolvedChallenge
 * @property {Proof} pow
 * @property {number} issued
 */

const SLICE_MS = 25;
// A worker reports every few thousand tries; one silent for this long (its
// script still loading over a slow circuit counts) never started, blocked or
// failing without an error event: the page solves it instead.
const WORKER_SILENCE_MS = 15000;

/** @returns {string | null} */
function workerUrl() {
  const own = find(document, 'script[src*="vigil-public"]', HTMLScriptElement);
  if (!own) return null;
  return new URL("vigil-pow-worker.js", own.src).href;
}

/**
 * @param {string} challenge
 * @param {number} difficulty
 * @param {((tried: number) => void) | null} onProgress
 * @returns {Promise<string>} the nonce
 */
function solveInWorker(challenge, difficulty, onProgress) {
  return new Promise((resolve, reject) => {
    const url = workerUrl();
    if (!url || typeof Worker === "undefined") {
      reject(new Error("no worker"));
      return;
    }
    let worker;
    try {
      worker = new Worker(url);
    } catch (err) {
      reject(err);
      return;
    }
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let watchdog;
    const silence = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        worker.terminate();
        reject(new Error("worker silent"));
      }, WORKER_SILENCE_MS);
    };
    silence();
    worker.addEventListener("message", (event) => {
      silence();
      const { nonce, tried } = /** @type {PowProgress} */ (event.data);
      if (onProgress) onProgress(tried);
      if (typeof nonce === "string") {
        clearTimeout(watchdog);
        worker.terminate();
        resolve(nonce);
      }
    });
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      clearTimeout(watchdog);
      worker.terminate();
      reject(new Error("worker failed"));
    });
    /** @type {PowTask} */
    const task = { challenge, difficulty };
    worker.postMessage(task);
  });
}

/**
 * @param {string} challenge
 * @param {number} difficulty
 * @param {((tried: number) => void) | null} onProgress
 * @returns {Promise<string>} the nonce
 */
function solveInSlices(challenge, difficulty, onProgress) {
  const search = searcher(challenge, difficulty);
  let batch = 256;
  return new Promise((resolve) => {
    /** @returns {void} */
    function slice() {
      const started = performance.now();
      let nonce = null;
      // Grow or shrink the batch so that a slice takes about SLICE_MS.
      while (nonce === null && performance.now() - started < SLICE_MS) nonce = search.step(batch);
      const took = performance.now() - started;
      batch = Math.max(64, Math.min(65536, Math.round((batch * SLICE_MS) / Math.max(1, took))));
      if (onProgress) onProgress(search.tried);
      if (nonce !== null) resolve(nonce);
      else setTimeout(slice, 0);
    }
    setTimeout(slice, 0);
  });
}

// Solve `difficulty` bits for `challenge`; `onProgress(fraction)` gets an
// estimate between 0 and 1 (the expected work is 2^difficulty tries).
/**
 * @param {string} challenge
 * @param {number} difficulty
 * @param {(fraction: number) => void} [onProgress]
 * @returns {Promise<string>} the nonce
 */
export async function solve(challenge, difficulty, onProgress) {
  if (difficulty <= 0) return "0";
  const expected = 2 ** difficulty;
  const progress = onProgress
    ? (/** @type {number} */ tried) => onProgress(Math.min(0.99, tried / expected))
    : null;
  try {
    return await solveInWorker(challenge, difficulty, progress);
  } catch {
    return solveInSlices(challenge, difficulty, progress);
  }
}

// A fresh challenge from the server, solved. `issued` lets the caller ask for
// a new one if the first grew stale during a long upload (the server accepts
// a challenge for a while only: data-pow-lifetime-seconds on the form).
/**
 * @param {string} csrf
 * @param {(fraction: number) => void} [onProgress]
 * @returns {Promise<SolvedChallenge>}
 */
export async function proofOfWork(csrf, onProgress) {
  const issued = Date.now();
  const { challenge, difficulty } = /** @type {{ challenge: string, difficulty: number }} */ (
    await postJSON("/api/challenge", {}, csrf)
  );
  const nonce = await solve(challenge, Number(difficulty) || 0, onProgress);
  return { pow: { challenge, nonce }, issued };
}
