// The primitives of docs/crypto.md on top of tweetnacl and @noble/hashes.

import nacl from "tweetnacl";
import { blake2b as nobleBlake2b } from "@noble/hashes/blake2.js";
import { concat, fail, isAllZero, requireBytes, wipe } from "./internal.js";

export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const SEAL_OVERHEAD = 32 + TAG_BYTES; // epk + Poly1305 tag

// crypto.getRandomValues, through tweetnacl (which throws if there is none).
/**
 * @param {number} n
 * @returns {Uint8Array}
 */
export function randomBytes(n) {
  return nacl.randomBytes(n);
}

// BLAKE2b with a digest of `bytes` bytes and an optional key; no salt, no
// personalisation (RFC 7693).
/**
 * @param {Uint8Array} message
 * @param {number} bytes
 * @param {Uint8Array} [key]
 * @returns {Uint8Array}
 */
export function blake2b(message, bytes, key) {
  return nobleBlake2b(message, key === undefined ? { dkLen: bytes } : { dkLen: bytes, key });
}

// crypto_secretbox_easy: Poly1305 tag followed by the ciphertext.
/**
 * @param {Uint8Array} key
 * @param {Uint8Array} nonce
 * @param {Uint8Array} message
 * @returns {Uint8Array}
 */
export function secretbox(key, nonce, message) {
  requireBytes(key, "key", KEY_BYTES);
  requireBytes(nonce, "nonce", NONCE_BYTES);
  return nacl.secretbox(message, nonce, key);
}

// crypto_secretbox_open_easy; null when authentication fails.
/**
 * @param {Uint8Array} key
 * @param {Uint8Array} nonce
 * @param {Uint8Array} box
 * @returns {Uint8Array | null}
 */
export function secretboxOpen(key, nonce, box) {
  requireBytes(key, "key", KEY_BYTES);
  requireBytes(nonce, "nonce", NONCE_BYTES);
  if (box.length < TAG_BYTES) return null;
  return nacl.secretbox.open(box, nonce, key);
}

/**
 * @param {Uint8Array} secretKey
 * @returns {Uint8Array}
 */
export function publicKeyOf(secretKey) {
  requireBytes(secretKey, "private key", KEY_BYTES);
  return nacl.scalarMult.base(secretKey);
}

// crypto_box_beforenm as libsodium does it: refuse when the X25519 shared
// secret is all zeros (the other side's key is a low-order point). tweetnacl
// does not check this; without the check anybody could forge a sealed box
// that opens under every private key.
/**
 * @param {Uint8Array} theirPublic
 * @param {Uint8Array} mySecret
 * @param {string} what
 * @returns {Uint8Array}
 */
function beforenm(theirPublic, mySecret, what) {
  const shared = nacl.scalarMult(mySecret, theirPublic);
  const zero = isAllZero(shared);
  wipe(shared);
  if (zero) fail(`${what}: public key is a low-order point`);
  return nacl.box.before(theirPublic, mySecret);
}

/**
 * @param {Uint8Array} epk
 * @param {Uint8Array} pk
 * @returns {Uint8Array}
 */
function sealNonce(epk, pk) {
  return blake2b(concat(epk, pk), NONCE_BYTES);
}

// crypto_box_seal: epk || crypto_box_easy(m, BLAKE2b-192(epk || pk), pk, esk).
/**
 * @param {Uint8Array} publicKey
 * @param {Uint8Array} message
 * @returns {Uint8Array}
 */
export function seal(publicKey, message) {
  requireBytes(publicKey, "public key", KEY_BYTES);
  const eph = nacl.box.keyPair();
  try {
    const k = beforenm(publicKey, eph.secretKey, "seal");
    try {
      const box = nacl.box.after(message, sealNonce(eph.publicKey, publicKey), k);
      return concat(eph.publicKey, box);
    } finally {
      wipe(k);
    }
  } finally {
    wipe(eph.secretKey);
  }
}

// crypto_box_seal_open; fails (throws) on any problem.
/**
 * @param {Uint8Array} secretKey
 * @param {Uint8Array} sealed
 * @param {string} what
 * @returns {Uint8Array}
 */
export function sealOpen(secretKey, sealed, what) {
  requireBytes(secretKey, "private key", KEY_BYTES);
  if (sealed.length < SEAL_OVERHEAD) fail(`${what}: too short`);
  const epk = sealed.subarray(0, 32);
  const pk = publicKeyOf(secretKey);
  const k = beforenm(epk, secretKey, what);
  try {
    const m = nacl.box.open.after(sealed.subarray(32), sealNonce(epk, pk), k);
    if (m === null) fail(`${what}: authentication failed (wrong key or tampered)`);
    return m;
  } finally {
    wipe(k);
  }
}
