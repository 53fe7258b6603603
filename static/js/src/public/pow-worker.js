// Web Worker entry (static/dist/vigil-pow-worker.js): solves a proof-of-work
// challenge off the main thread, so the page stays responsive even where the
// JIT is off (Tor Browser "Safer"). Reports how many nonces it has tried.

import { searcher } from "./pow-core.js";

/**
 * What the page asks (static/js/src/public/pow.js).
 * @typedef {object} PowTask
 * @property {string} challenge
 * @property {number} difficulty
 */

/**
 * What the worker answers: progress, and at last the nonce.
 * @typedef {object} PowProgress
 * @property {number} tried
 * @property {string} [nonce]
 */

/**
 * The part of a DedicatedWorkerGlobalScope used here. jsconfig.json checks
 * every script as one program with the DOM's types, where `self` is a window.
 * @typedef {object} WorkerScope
 * @property {(message: PowProgress) => void} postMessage
 * @property {(type: "message", listener: (event: MessageEvent<Partial<PowTask> | null>) => void) => void} addEventListener
 */

const SLICE = 4096;
const scope = /** @type {WorkerScope} */ (/** @type {unknown} */ (self));

scope.addEventListener("message", (event) => {
  const { challenge, difficulty } = event.data || {};
  if (typeof challenge !== "string" || typeof difficulty !== "number" || !Number.isInteger(difficulty)) return;
  const search = searcher(challenge, difficulty);
  for (;;) {
    const nonce = search.step(SLICE);
    if (nonce !== null) {
      scope.postMessage({ nonce, tried: search.tried });
      return;
    }
    scope.postMessage({ tried: search.tried });
  }
});
