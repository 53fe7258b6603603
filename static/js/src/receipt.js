// Receipts, the keys and tokens derived from them, and fingerprints
// (docs/crypto.md, "Receipt" and "Fingerprints").

import { blake2b, publicKeyOf, randomBytes } from "./primitives.js";
import { concat, fail, isBytes, requireBytes, utf8encode } from "./internal.js";

export const RECEIPT_BYTES = 15;
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const INDEX = new Map();
for (let i = 0; i < ALPHABET.length; i++) INDEX.set(ALPHABET[i], i);

const LABEL_REPORTER_KEY = utf8encode("vigil/v1/reporter-key");
const LABEL_LOOKUP_TOKEN = utf8encode("vigil/v1/lookup-token");
const LABEL_LOOKUP_HASH = utf8encode("vigil/v1/lookup-hash");
const LABEL_FINGERPRINT = utf8encode("vigil/v1/fingerprint");

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
  return chars.match(/.{4}/g).join("-");
}

export function generateReceipt() {
  return formatReceipt(randomBytes(RECEIPT_BYTES));
}

// Remove spaces and "-", upper-case, read O as 0 and I, L as 1; then exactly
// 24 characters of the alphabet. Only ASCII is upper-cased: any other
// character makes the receipt malformed (so that e.g. U+0131 "ı" is not read
// as "I" by a Unicode-aware upper-casing).
export function parseReceipt(text) {
  if (typeof text !== "string") fail("malformed receipt (not a string)");
  let chars = "";
  for (const ch of text) {
    if (ch === " " || ch === "-") continue;
    let c = ch >= "a" && ch <= "z" ? ch.toUpperCase() : ch;
    if (c === "O") c = "0";
    else if (c === "I" || c === "L") c = "1";
    if (!INDEX.has(c)) fail("malformed receipt (character not in the alphabet)");
    chars += c;
  }
  if (chars.length !== 24) fail("malformed receipt (wrong length)");
  const out = new Uint8Array(RECEIPT_BYTES);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const c of chars) {
    acc = (acc << 5) | INDEX.get(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 255;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

function receiptSecret(receipt) {
  if (isBytes(receipt)) return requireBytes(receipt, "receipt secret", RECEIPT_BYTES);
  return parseReceipt(receipt);
}

export function reporterKeyPair(receipt) {
  const secretKey = blake2b(LABEL_REPORTER_KEY, 32, receiptSecret(receipt));
  return { publicKey: publicKeyOf(secretKey), secretKey };
}

export function lookupToken(receipt) {
  return blake2b(LABEL_LOOKUP_TOKEN, 32, receiptSecret(receipt));
}

export function lookupHash(token) {
  requireBytes(token, "lookup token", 32);
  return blake2b(concat(LABEL_LOOKUP_HASH, token), 32);
}

export function fingerprint(publicKey) {
  requireBytes(publicKey, "public key", 32);
  const digest = blake2b(concat(LABEL_FINGERPRINT, publicKey), 32).subarray(0, 20);
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex.toUpperCase().match(/.{4}/g).join(" ");
}
