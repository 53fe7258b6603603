// Receipts, the keys and tokens derived from them, and fingerprints
// (docs/crypto.md, "Receipt" and "Fingerprints").

import { blake2b, publicKeyOf, randomBytes } from "./primitives.js";
import { concat, fail, isBytes, requireBytes, utf8encode } from "./internal.js";

export const RECEIPT_BYTES = 15;
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** @type {Map<string, number>} */
const INDEX = new Map();
for (let i = 0; i < ALPHABET.length; i++) INDEX.set(ALPHABET.charAt(i), i);

const LABEL_REPORTER_KEY = utf8encode("vigil/v1/reporter-key");
const LABEL_LOOKUP_TOKEN = utf8encode("vigil/v1/lookup-token");
const LABEL_LOOKUP_HASH = utf8encode("vigil/v1/lookup-hash");
const LABEL_FINGERPRINT = utf8encode("vigil/v1/fingerprint");

/**
 * "ABCDEFGH" → ["ABCD", "EFGH"]
 * @param {string} text
 * @returns {string[]}
 */
function groupsOfFour(text) {
  return text.match(/.{4}/g) || [];
}

/**
 * @param {Uint8Array} secret
 * @returns {string}
 */
export function formatReceipt(secret) {
  requireBytes(secret, "receipt secret", RECEIPT_BYTES);
  let chars = "";
  let acc = 0;
  let bits = 0;
  for (const byte of secret) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      chars += ALPHABET[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  // 120 bits are exactly 24 characters: nothing is left over.
  return groupsOfFour(chars).join("-");
}

/** @returns {string} */
export function generateReceipt() {
  return formatReceipt(randomBytes(RECEIPT_BYTES));
}

// Remove spaces and "-", upper-case, read O as 0 and I, L as 1; then exactly
// 24 characters of the alphabet. Only ASCII is upper-cased: any other
// character makes the receipt malformed (so that e.g. U+0131 "ı" is not read
// as "I" by a Unicode-aware upper-casing).
/**
 * @param {string} text
 * @returns {Uint8Array}
 */
export function parseReceipt(text) {
  if (typeof text !== "string") fail("malformed receipt (not a string)");
  const values = [];
  for (const ch of text) {
    if (ch === " " || ch === "-") continue;
    let c = ch >= "a" && ch <= "z" ? ch.toUpperCase() : ch;
    if (c === "O") c = "0";
    else if (c === "I" || c === "L") c = "1";
    const value = INDEX.get(c);
    if (value === undefined) fail("malformed receipt (character not in the alphabet)");
    values.push(value);
  }
  if (values.length !== 24) fail("malformed receipt (wrong length)");
  const out = new Uint8Array(RECEIPT_BYTES);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const value of values) {
    acc = (acc << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 255;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

/**
 * @param {string | Uint8Array} receipt
 * @returns {Uint8Array}
 */
function receiptSecret(receipt) {
  if (isBytes(receipt)) return requireBytes(receipt, "receipt secret", RECEIPT_BYTES);
  return parseReceipt(receipt);
}

/**
 * @param {string | Uint8Array} receipt
 * @returns {{ publicKey: Uint8Array, secretKey: Uint8Array }}
 */
export function reporterKeyPair(receipt) {
  const secretKey = blake2b(LABEL_REPORTER_KEY, 32, receiptSecret(receipt));
  return { publicKey: publicKeyOf(secretKey), secretKey };
}

/**
 * @param {string | Uint8Array} receipt
 * @returns {Uint8Array}
 */
export function lookupToken(receipt) {
  return blake2b(LABEL_LOOKUP_TOKEN, 32, receiptSecret(receipt));
}

/**
 * @param {Uint8Array} token
 * @returns {Uint8Array}
 */
export function lookupHash(token) {
  requireBytes(token, "lookup token", 32);
  return blake2b(concat(LABEL_LOOKUP_HASH, token), 32);
}

/**
 * @param {Uint8Array} publicKey
 * @returns {string}
 */
export function fingerprint(publicKey) {
  requireBytes(publicKey, "public key", 32);
  const digest = blake2b(concat(LABEL_FINGERPRINT, publicKey), 32).subarray(0, 20);
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return groupsOfFour(hex.toUpperCase()).join(" ");
}
