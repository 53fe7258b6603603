// Web Worker entry (static/dist/vigil-pow-worker.js): solves a proof-of-work
// challenge off the main thread, so the page stays responsive even where the
// JIT is off (Tor Browser "Safer"). Reports how many nonces it has tried.

import { searcher } from "./pow-core.js";

const SLICE = 4096;

self.addEventListener("message", (event) => {
  const { challenge, difficulty } = event.data || {};
  if (typeof challenge !== "string" || !Number.isInteger(difficulty)) return;
  const search = searcher(challenge, difficulty);
  for (;;) {
    const nonce = search.step(SLICE);
    if (nonce !== null) {
      self.postMessage({ nonce, tried: search.tried });
      return;
    }
    self.postMessage({ tried: search.tried });
  }
});
