// Proof of work for anonymous submissions: ask the server for a challenge,
// solve it, hand back what POST /api/reports wants in its `pow` member.
//
// The work is WebCrypto's PBKDF2 (pow-core.js), which runs in native code
// off the page's thread, so the page keeps answering the keyboard and the
// progress bar moves, with the JIT on or off.

import { postJSON } from "./api.js";
import { deriver, search } from "./pow-core.js";

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

/**
 * How the search is going. The number of tries it needs is a matter of
 * chance (each try succeeds with probability 2^-difficulty, whatever came
 * before), so the honest estimate is the usual time, measured on this
 * device, not a countdown: `overdue` once the usual number of tries is spent.
 * @typedef {object} PowProgress
 * @property {number} fraction the usual number of tries done, between 0 and 1
 * @property {number} usualSeconds how long the search usually takes on this device
 * @property {boolean} overdue
 */

const REPORT_EVERY_MS = 250;

/**
 * Solve `difficulty` bits for `challenge` at `iterations` PBKDF2 rounds a try.
 * @param {string} challenge
 * @param {number} difficulty
 * @param {number} iterations
 * @param {(progress: PowProgress) => void} [onProgress]
 * @returns {Promise<string>} the nonce
 */
export async function solve(challenge, difficulty, iterations, onProgress) {
  if (difficulty <= 0) return "0";
  const derive = await deriver(challenge, iterations);
  const usualTries = 2 ** difficulty;
  const started = performance.now();
  let reported = started;
  return search(derive, difficulty, (tried) => {
    const now = performance.now();
    if (!onProgress || now - reported < REPORT_EVERY_MS) return;
    reported = now;
    onProgress({
      fraction: Math.min(1, tried / usualTries),
      usualSeconds: Math.max(1, Math.round(((now - started) / tried) * usualTries / 1000)),
      overdue: tried > usualTries,
    });
  });
}

// A fresh challenge from the server, solved. `issued` lets the caller ask for
// a new one if the first grew stale during a long upload (the server accepts
// a challenge for a while only: data-pow-lifetime-seconds on the form).
/**
 * @param {string} csrf
 * @param {(progress: PowProgress) => void} [onProgress]
 * @returns {Promise<SolvedChallenge>}
 */
export async function proofOfWork(csrf, onProgress) {
  const issued = Date.now();
  const { challenge, difficulty, iterations } =
    /** @type {{ challenge: string, difficulty: number, iterations: number }} */ (
      await postJSON("/api/challenge", {}, csrf)
    );
  const nonce = await solve(challenge, Number(difficulty) || 0, Number(iterations) || 1, onProgress);
  return { pow: { challenge, nonce }, issued };
}
