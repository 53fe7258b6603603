// Byte helpers: strict base64 (RFC 4648 section 4), big-endian integers,
// UTF-8 and concatenation.

import { fail } from "./errors.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/**
 * @param {unknown} x
 * @returns {x is Uint8Array}
 */
export function isBytes(x) {
  return x instanceof Uint8Array;
}

/**
 * `x`, if it is a Uint8Array (of `length` bytes, when given).
 * @param {unknown} x
 * @param {string} what
 * @param {number} [length]
 * @returns {Uint8Array}
 */
export function requireBytes(x, what, length) {
  if (!isBytes(x)) fail(`${what} must be a Uint8Array`);
  if (length !== undefined && x.length !== length) fail(`${what} must be ${length} bytes`);
  return x;
}

/**
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function b64encode(bytes) {
  requireBytes(bytes, "b64encode input");
  const parts = [];
  let out = "";
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[v >>> 18] + B64[(v >>> 12) & 63] + B64[(v >>> 6) & 63] + B64[v & 63];
    if (out.length >= 8192) {
      parts.push(out);
      out = "";
    }
  }
  if (n - i === 1) {
    const v = bytes[i] << 16;
    out += B64[v >>> 18] + B64[(v >>> 12) & 63] + "==";
  } else if (n - i === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[v >>> 18] + B64[(v >>> 12) & 63] + B64[(v >>> 6) & 63] + "=";
  }
  parts.push(out);
  return parts.join("");
}

// Strict: standard alphabet only, "=" padding required, no whitespace, and
// the unused bits of the last character must be zero (one encoding per value).
/**
 * @param {string} text
 * @returns {Uint8Array}
 */
export function b64decode(text) {
  if (typeof text !== "string") fail("base64 input must be a string");
  const n = text.length;
  if (n % 4 !== 0) fail("malformed base64 (length)");
  let pad = 0;
  if (n > 0 && text.charCodeAt(n - 1) === 61) pad = text.charCodeAt(n - 2) === 61 ? 2 : 1;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n;
    const c = [0, 0, 0, 0];
    for (let j = 0; j < 4; j++) {
      const code = text.charCodeAt(i + j);
      if (last && code === 61 && j >= 4 - pad) {
        c[j] = 0;
        continue;
      }
      const v = code < 128 ? B64_INDEX[code] : -1;
      if (v < 0) fail("malformed base64 (character)");
      c[j] = v;
    }
    const v = (c[0] << 18) | (c[1] << 12) | (c[2] << 6) | c[3];
    if (last && pad === 2) {
      if (c[1] & 15) fail("malformed base64 (non-canonical)");
      out[o++] = v >>> 16;
    } else if (last && pad === 1) {
      if (c[2] & 3) fail("malformed base64 (non-canonical)");
      out[o++] = v >>> 16;
      out[o++] = (v >>> 8) & 255;
    } else {
      out[o++] = v >>> 16;
      out[o++] = (v >>> 8) & 255;
      out[o++] = v & 255;
    }
  }
  return out;
}

/**
 * @param {Uint8Array[]} arrays
 * @returns {Uint8Array}
 */
export function concat(...arrays) {
  let n = 0;
  for (const a of arrays) n += a.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/**
 * @param {number} n
 * @returns {Uint8Array}
 */
export function u32(n) {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) fail("value out of u32 range");
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

/**
 * @param {Uint8Array} bytes
 * @param {number} offset
 * @returns {number}
 */
export function readU32(bytes, offset) {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, false);
}

/**
 * @param {Uint8Array} bytes
 * @returns {boolean}
 */
export function isAllZero(bytes) {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i];
  return acc === 0;
}

/**
 * Overwrite with zeros; anything else (a key never made) is left alone.
 * @param {unknown} bytes
 */
export function wipe(bytes) {
  if (isBytes(bytes)) bytes.fill(0);
}

const ENCODER = new TextEncoder();
// fatal: refuse invalid UTF-8; ignoreBOM: keep a leading U+FEFF so that JSON
// parsing refuses it instead of the decoder silently dropping it.
const DECODER = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// A string with a lone surrogate cannot be written as UTF-8.
/**
 * @param {string} text
 * @returns {boolean}
 */
export function isWellFormed(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * @param {string} text
 * @returns {Uint8Array}
 */
export function utf8encode(text) {
  return ENCODER.encode(text);
}

/**
 * @param {Uint8Array} bytes
 * @param {string} what
 * @returns {string}
 */
export function utf8decode(bytes, what) {
  try {
    return DECODER.decode(bytes);
  } catch {
    return fail(`${what} is not valid UTF-8`);
  }
}

// Walk a JSON value without recursion (JSON.parse accepts any depth) and
// refuse what the Python side refuses too: strings (values or member names)
// that are not well-formed Unicode, which only an escaped lone surrogate such
// as "\ud800" can produce, and numbers that are not finite (1e400 parses as
// Infinity). Such values could not be written back as UTF-8 JSON.
/**
 * @param {unknown} value
 * @returns {boolean}
 */
function checkJSONValue(value) {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (!isWellFormed(v)) return false;
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) return false;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === "object") {
      for (const [key, item] of Object.entries(v)) {
        if (!isWellFormed(key)) return false;
        stack.push(item);
      }
    } else if (typeof v !== "boolean" && v !== null) {
      return false;
    }
  }
  return true;
}

// Compact JSON text of a value, refusing what JSON cannot represent
// faithfully: undefined, functions, symbols, BigInt, NaN and the infinities,
// cycles, and strings with lone surrogates.
/**
 * @param {unknown} value
 * @param {string} what
 * @returns {string}
 */
export function toJSON(value, what) {
  let text;
  try {
    text = JSON.stringify(value, (key, v) => {
      if (!isWellFormed(key)) throw new TypeError("lone surrogate");
      if (typeof v === "string" && !isWellFormed(v)) throw new TypeError("lone surrogate");
      if (typeof v === "number" && !Number.isFinite(v)) throw new TypeError("non-finite");
      if (typeof v === "bigint" || typeof v === "function" || typeof v === "symbol") {
        throw new TypeError("unsupported");
      }
      if (v === undefined) throw new TypeError("undefined");
      return v;
    });
  } catch {
    return fail(`${what} is not a JSON value`);
  }
  if (typeof text !== "string") fail(`${what} is not a JSON value`);
  return text;
}

// Strict UTF-8 JSON, with the same meaning in the browser and in Python.
/**
 * @param {Uint8Array} bytes
 * @param {string} what
 * @returns {unknown}
 */
export function parseJSON(bytes, what) {
  const text = utf8decode(bytes, what);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(`${what} is not valid JSON`);
  }
  if (!checkJSONValue(value)) fail(`${what} is not valid JSON (lone surrogate or number out of range)`);
  return value;
}

/**
 * @param {unknown} x
 * @returns {x is Record<string, unknown>}
 */
export function isPlainObject(x) {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
