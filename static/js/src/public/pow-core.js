// The proof-of-work search (docs/submission.md, "Proof of work"): find a
// decimal nonce such that PBKDF2-HMAC-SHA-256(password = challenge,
// salt = nonce, iterations) starts with `difficulty` zero bits.
//
// WebCrypto computes PBKDF2 in the browser's native code, as fast with the
// JavaScript JIT off (Tor Browser at "Safer") as with it on, and off the
// page's thread. Only where WebCrypto is missing (a page that is not a secure
// context: plain HTTP to another host) does the script compute it itself,
// yielding to the page between rounds.

import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** @typedef {(nonce: string) => Promise<Uint8Array>} Derive */

/**
 * @param {Uint8Array} digest
 * @returns {number}
 */
export function leadingZeroBits(digest) {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/**
 * @param {string} text
 * @returns {Uint8Array<ArrayBuffer>}
 */
function ascii(text) {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

/**
 * PBKDF2 over `challenge` by WebCrypto, or null where the browser offers none.
 * @param {string} challenge
 * @param {number} iterations
 * @returns {Promise<Derive | null>}
 */
async function nativeDerive(challenge, iterations) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return null;
  try {
    const key = await subtle.importKey("raw", ascii(challenge), "PBKDF2", false, ["deriveBits"]);
    return async (nonce) =>
      new Uint8Array(
        await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: ascii(nonce), iterations }, key, 256),
      );
  } catch {
    return null;
  }
}

/**
 * @param {string} challenge
 * @param {number} iterations
 * @returns {Derive}
 */
function scriptDerive(challenge, iterations) {
  const password = ascii(challenge);
  return (nonce) => pbkdf2Async(sha256, password, ascii(nonce), { c: iterations, dkLen: 32 });
}

/**
 * The fastest PBKDF2 this browser offers for `challenge`.
 * @param {string} challenge
 * @param {number} iterations
 * @returns {Promise<Derive>}
 */
export async function deriver(challenge, iterations) {
  return (await nativeDerive(challenge, iterations)) || scriptDerive(challenge, iterations);
}

/**
 * Tries nonces 0, 1, 2 … until one's digest starts with `difficulty` zero
 * bits; `onTried(count)` after each failed try.
 * @param {Derive} derive
 * @param {number} difficulty
 * @param {(tried: number) => void} onTried
 * @returns {Promise<string>} the nonce
 */
export async function search(derive, difficulty, onTried) {
  for (let next = 0; ; next++) {
    const nonce = String(next);
    if (leadingZeroBits(await derive(nonce)) >= difficulty) return nonce;
    onTried(next + 1);
  }
}
