// The proof-of-work search (docs/submission.md, "Proof of work"): find a
// decimal nonce such that SHA-256(challenge ":" nonce) starts with
// `difficulty` zero bits. Shared by the worker and the main-thread fallback.

import { sha256 } from "@noble/hashes/sha2.js";

/**
 * @typedef {object} Searcher
 * @property {number} tried how many nonces were tried so far
 * @property {(count: number) => string | null} step try the next `count` nonces
 */

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
 * @returns {Uint8Array}
 */
function ascii(text) {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

// A searcher that tries nonces from 0 upwards, `count` at a time, so that the
// caller decides when to pause (between slices, or to report progress).
/**
 * @param {string} challenge
 * @param {number} difficulty
 * @returns {Searcher}
 */
export function searcher(challenge, difficulty) {
  const prefix = ascii(`${challenge}:`);
  // The message buffer is reused: the prefix stays, only the digits change.
  const buffer = new Uint8Array(prefix.length + 20);
  buffer.set(prefix, 0);
  let next = 0;
  return {
    get tried() {
      return next;
    },
    // Returns the nonce (a string) or null when none of the next `count` works.
    step(count) {
      const end = next + count;
      for (; next < end; next++) {
        const digits = String(next);
        for (let i = 0; i < digits.length; i++) buffer[prefix.length + i] = digits.charCodeAt(i);
        const digest = sha256(buffer.subarray(0, prefix.length + digits.length));
        if (leadingZeroBits(digest) >= difficulty) {
          next++;
          return digits;
        }
      }
      return null;
    },
  };
}
