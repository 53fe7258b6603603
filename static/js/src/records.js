// Records, wraps and the report envelope (docs/crypto.md).

import { randomBytes, seal, sealOpen, secretbox, secretboxOpen, TAG_BYTES } from "./primitives.js";
import {
  b64decode,
  b64encode,
  concat,
  fail,
  isPlainObject,
  parseJSON,
  readU32,
  requireBytes,
  toJSON,
  u32,
  utf8encode,
  wipe,
} from "./internal.js";

export const VERSION = 0x01;
export const Kind = Object.freeze({
  BODY: 0x01,
  MESSAGE: 0x02,
  NOTE: 0x03,
  FINDINGS: 0x04,
  ATTACHMENT: 0x10,
  LOCKED_KEY: 0x20,
  SESSION_KEY: 0x21,
  WRAP: 0x30,
});
export const RecordKind = Object.freeze({
  BODY: Kind.BODY,
  MESSAGE: Kind.MESSAGE,
  NOTE: Kind.NOTE,
  FINDINGS: Kind.FINDINGS,
});
/** @type {ReadonlySet<number>} */
const RECORD_KINDS = new Set(Object.values(RecordKind));

export const RECORD_MAX_PAYLOAD = 16 * 1024 * 1024;
const RECORD_HEADER = 2 + 24; // version, kind, nonce
const INNER_HEADER = 6; // version, kind, u32 length
const MIN_INNER = 512;
const MIN_RECORD = RECORD_HEADER + TAG_BYTES + MIN_INNER;
const MAX_INNER = bucket(INNER_HEADER + RECORD_MAX_PAYLOAD);

export const WRAP_BYTES = 82;

/**
 * The padded length of an inner record of `n` bytes: a power of two, at least MIN_INNER.
 * @param {number} n
 * @returns {number}
 */
export function bucket(n) {
  let b = MIN_INNER;
  while (b < n) b *= 2;
  return b;
}

/**
 * @param {number} kind
 * @returns {number}
 */
function requireRecordKind(kind) {
  if (!RECORD_KINDS.has(kind)) fail("unknown record kind");
  return kind;
}

/** @returns {Uint8Array} */
export function generateReportKey() {
  return randomBytes(32);
}

/**
 * @param {Uint8Array} reportKey
 * @param {number} kind one of RecordKind
 * @param {unknown} value any JSON value
 * @returns {Uint8Array}
 */
export function sealRecord(reportKey, kind, value) {
  requireBytes(reportKey, "report key", 32);
  requireRecordKind(kind);
  const payload = utf8encode(toJSON(value, "record payload"));
  if (payload.length > RECORD_MAX_PAYLOAD) fail("record payload too large");
  const inner = new Uint8Array(bucket(INNER_HEADER + payload.length));
  inner[0] = VERSION;
  inner[1] = kind;
  inner.set(u32(payload.length), 2);
  inner.set(payload, INNER_HEADER);
  const nonce = randomBytes(24);
  const box = secretbox(reportKey, nonce, inner);
  wipe(inner);
  wipe(payload);
  return concat(Uint8Array.of(VERSION, kind), nonce, box);
}

// What can be checked without the key (the server does this on arrival):
// version, kind, and a length a v1 writer produces: 42 + a power of two from
// 512 to 32 MiB.
/**
 * @param {Uint8Array} record
 * @param {number} kind
 */
export function checkRecordStructure(record, kind) {
  requireRecordKind(kind);
  requireBytes(record, "record");
  if (record.length < MIN_RECORD) fail("record: too short");
  if (record[0] !== VERSION) fail("record: unsupported version");
  if (record[1] !== kind) fail("record: wrong kind");
  const innerLength = record.length - RECORD_HEADER - TAG_BYTES;
  if (innerLength > MAX_INNER || (innerLength & (innerLength - 1)) !== 0) fail("record: wrong length");
}

/**
 * @param {Uint8Array} reportKey
 * @param {number} kind
 * @param {Uint8Array} record
 * @returns {unknown} the JSON value sealed in the record
 */
export function openRecord(reportKey, kind, record) {
  requireBytes(reportKey, "report key", 32);
  checkRecordStructure(record, kind);
  const inner = secretboxOpen(reportKey, record.subarray(2, RECORD_HEADER), record.subarray(RECORD_HEADER));
  if (inner === null) fail("record: authentication failed (wrong key or tampered)");
  try {
    if (inner[0] !== record[0] || inner[1] !== record[1]) fail("record: inner header mismatch");
    const length = readU32(inner, 2);
    if (length > inner.length - INNER_HEADER) fail("record: bad payload length");
    if (length > RECORD_MAX_PAYLOAD) fail("record payload too large");
    for (let i = INNER_HEADER + length; i < inner.length; i++) {
      if (inner[i] !== 0) fail("record: non-zero padding");
    }
    return parseJSON(inner.subarray(INNER_HEADER, INNER_HEADER + length), "record payload");
  } finally {
    wipe(inner);
  }
}

/**
 * @param {Uint8Array} reportKey
 * @param {Uint8Array} publicKey
 * @returns {Uint8Array}
 */
export function wrapReportKey(reportKey, publicKey) {
  requireBytes(reportKey, "report key", 32);
  requireBytes(publicKey, "public key", 32);
  const message = concat(Uint8Array.of(VERSION, Kind.WRAP), reportKey);
  try {
    return seal(publicKey, message);
  } finally {
    wipe(message);
  }
}

/**
 * @param {Uint8Array} wrap
 * @param {Uint8Array} secretKey
 * @returns {Uint8Array}
 */
export function unwrapReportKey(wrap, secretKey) {
  requireBytes(wrap, "wrap");
  requireBytes(secretKey, "private key", 32);
  if (wrap.length !== WRAP_BYTES) fail("wrap: wrong length");
  const m = sealOpen(secretKey, wrap, "wrap");
  if (m.length !== 34 || m[0] !== VERSION || m[1] !== Kind.WRAP) {
    wipe(m);
    fail("wrap: bad content");
  }
  const rk = m.slice(2);
  wipe(m);
  return rk;
}

/** @typedef {"intake" | "reporter"} Holder */
/** @type {readonly Holder[]} */
const HOLDERS = ["intake", "reporter"];

/**
 * @typedef {object} Envelope
 * @property {1} v
 * @property {string} body the body record, base64
 * @property {Record<Holder, string>} wraps rk wrapped to each holder, base64
 */

/**
 * @param {object} obj
 * @param {readonly string[]} names
 * @returns {boolean}
 */
function sameMembers(obj, names) {
  const keys = Object.keys(obj);
  return keys.length === names.length && names.every((n) => Object.prototype.hasOwnProperty.call(obj, n));
}

// Validate an envelope (object or JSON text) and decode its binary members.
/**
 * @param {unknown} envelope
 * @returns {{ body: Uint8Array, wraps: Record<Holder, Uint8Array> }}
 */
export function parseEnvelope(envelope) {
  let env = envelope;
  if (typeof env === "string") {
    env = parseJSON(utf8encode(env), "envelope");
  }
  if (!isPlainObject(env)) fail("envelope: not a JSON object");
  if (!sameMembers(env, ["v", "body", "wraps"])) fail("envelope: wrong members");
  if (env.v !== 1) fail("envelope: unsupported version");
  if (typeof env.body !== "string") fail("envelope: body is not a string");
  const wraps = env.wraps;
  if (!isPlainObject(wraps) || !sameMembers(wraps, HOLDERS)) fail("envelope: wrong wraps");
  if (typeof wraps.intake !== "string" || typeof wraps.reporter !== "string") {
    fail("envelope: wrap is not a string");
  }
  const body = b64decode(env.body);
  checkRecordStructure(body, RecordKind.BODY);
  const decoded = { intake: b64decode(wraps.intake), reporter: b64decode(wraps.reporter) };
  for (const h of HOLDERS) if (decoded[h].length !== WRAP_BYTES) fail("envelope: wrap has the wrong length");
  return { body, wraps: decoded };
}

/**
 * @param {Record<string, unknown>} body
 * @param {Uint8Array} intakePublicKey
 * @param {Uint8Array} reporterPublicKey
 * @returns {{ reportKey: Uint8Array, envelope: Envelope }}
 */
export function sealReport(body, intakePublicKey, reporterPublicKey) {
  if (!isPlainObject(body)) fail("report body must be a JSON object");
  requireBytes(intakePublicKey, "intake public key", 32);
  requireBytes(reporterPublicKey, "reporter public key", 32);
  const reportKey = generateReportKey();
  /** @type {Envelope} */
  const envelope = {
    v: 1,
    body: b64encode(sealRecord(reportKey, RecordKind.BODY, body)),
    wraps: {
      intake: b64encode(wrapReportKey(reportKey, intakePublicKey)),
      reporter: b64encode(wrapReportKey(reportKey, reporterPublicKey)),
    },
  };
  return { reportKey, envelope };
}

/**
 * @param {unknown} envelope an Envelope, or its JSON text
 * @param {Uint8Array} secretKey
 * @param {Holder} asHolder
 * @returns {{ reportKey: Uint8Array, body: Record<string, unknown> }}
 */
export function openReport(envelope, secretKey, asHolder) {
  requireBytes(secretKey, "private key", 32);
  if (!HOLDERS.includes(asHolder)) fail('holder must be "intake" or "reporter"');
  const parsed = parseEnvelope(envelope);
  const reportKey = unwrapReportKey(parsed.wraps[asHolder], secretKey);
  const body = openRecord(reportKey, RecordKind.BODY, parsed.body);
  if (!isPlainObject(body)) {
    wipe(reportKey);
    fail("report body is not a JSON object");
  }
  return { reportKey, body };
}

