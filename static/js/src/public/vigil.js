// The protocol v1 implementation, as the crypto bundle exposes it.
//
// Every public page loads static/dist/vigil-crypto.js (the global
// `VigilCrypto`) before this bundle; both are `defer` scripts, which run in
// document order. Using that global instead of importing the crypto modules
// again keeps one copy of tweetnacl on the page: a reporter on Tor over a
// slow link downloads ~55 KB less.

/** @typedef {typeof import("../vigil-crypto.js")} VigilCrypto */

/** @returns {VigilCrypto | null} */
export function crypto() {
  // The crypto bundle's global, which this bundle's own types do not declare.
  const V = /** @type {{ VigilCrypto?: Partial<VigilCrypto> }} */ (globalThis).VigilCrypto;
  return V && typeof V.sealReport === "function" ? /** @type {VigilCrypto} */ (V) : null;
}
