// Attachment streams (docs/crypto.md, "Attachments").
//
// Encryption reads a Blob/File one chunk at a time (blob.slice().arrayBuffer())
// and yields ciphertext pieces, so memory stays constant whatever the file
// size. Decryption reads `chunk_size + 16` bytes at a time and treats a chunk
// as final exactly when nothing follows it.

import { randomBytes, secretbox, secretboxOpen, TAG_BYTES } from "./primitives.js";
import { Kind, VERSION } from "./records.js";
import {
  concat,
  convert,
  fail,
  isBytes,
  isPlainObject,
  isWellFormed,
  parseJSON,
  readU32,
  requireBytes,
  toJSON,
  u32,
  utf8encode,
  wipe,
} from "./internal.js";

export const CHUNK_SIZE = 65536;
export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
const PREFIX_BYTES = 19;
export const HEADER_BYTES = 2 + 4 + PREFIX_BYTES + 24 + 32 + TAG_BYTES; // 97
const META_JSON_MAX = 4096;
const META_BLOCK = 256;
const META_INNER_MAX = roundUp(4 + META_JSON_MAX, META_BLOCK);
const META_BOX_MIN = META_BLOCK + TAG_BYTES;
const META_BOX_MAX = META_INNER_MAX + TAG_BYTES;
const MAX_INDEX = 0xffffffff;

/**
 * What the metadata box holds: the file's own name, type and size.
 * @typedef {object} AttachmentMeta
 * @property {string} name
 * @property {string} type
 * @property {number} size
 */

/**
 * A random-access byte source of known size.
 * @typedef {object} ByteSource
 * @property {number} size
 * @property {(start: number, end: number) => Promise<Uint8Array>} read
 */

/**
 * @typedef {object} EncryptOptions
 * @property {string} [name] the name to seal (default: the File's own, or "")
 * @property {string} [type] the type to seal (default: the Blob's own, or "")
 * @property {number} [chunkSize]
 */

/**
 * @param {number} n
 * @param {number} m
 * @returns {number}
 */
function roundUp(n, m) {
  return Math.ceil(n / m) * m;
}

/**
 * @param {Uint8Array} prefix
 * @param {number} index
 * @param {boolean} final
 * @returns {Uint8Array}
 */
function chunkNonce(prefix, index, final) {
  const n = new Uint8Array(24);
  n.set(prefix, 0);
  n.set(u32(index), PREFIX_BYTES);
  n[23] = final ? 1 : 0;
  return n;
}

/**
 * @param {unknown} x
 * @returns {x is Blob}
 */
function isBlob(x) {
  return typeof Blob !== "undefined" && x instanceof Blob;
}

// A random-access byte source of known size over a Blob or a Uint8Array.
/**
 * @param {Blob | Uint8Array} input
 * @returns {ByteSource}
 */
function byteSource(input) {
  if (isBytes(input)) {
    return { size: input.length, read: async (start, end) => input.subarray(start, end) };
  }
  if (isBlob(input)) {
    return {
      size: input.size,
      read: async (start, end) => {
        const part = input.slice(start, end);
        const buf = typeof part.arrayBuffer === "function" ? await part.arrayBuffer() : await readWithFileReader(part);
        const bytes = new Uint8Array(buf);
        if (bytes.length !== end - start) fail("attachment: the file changed while it was read");
        return bytes;
      },
    };
  }
  return fail("attachment input must be a Blob, a File or a Uint8Array");
}

/**
 * @param {Blob} blob
 * @returns {Promise<ArrayBuffer>}
 */
function readWithFileReader(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    // readAsArrayBuffer: the result is an ArrayBuffer.
    reader.onload = () => resolve(/** @type {ArrayBuffer} */ (reader.result));
    reader.onerror = () => reject(new TypeError("read failed"));
    reader.readAsArrayBuffer(blob);
  });
}

/** @param {number} chunkSize */
function checkChunkSize(chunkSize) {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    fail("attachment: chunk size out of range");
  }
}

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {asserts value is string}
 */
function checkText(value, what) {
  if (typeof value !== "string") fail(`attachment ${what} must be a string`);
  if (!isWellFormed(value)) fail(`attachment ${what} is not well-formed Unicode`);
}

// Build header and meta; returns the first piece and the file key.
/**
 * @param {Uint8Array} reportKey
 * @param {AttachmentMeta} meta
 * @param {number} chunkSize
 * @returns {{ fk: Uint8Array, prefix: Uint8Array, first: Uint8Array }}
 */
function startAttachment(reportKey, meta, chunkSize) {
  const fk = randomBytes(32);
  const prefix = randomBytes(PREFIX_BYTES);
  const keyNonce = randomBytes(24);
  const metaJson = utf8encode(toJSON(meta, "attachment metadata"));
  if (metaJson.length > META_JSON_MAX) fail("attachment metadata too long (name or type too long)");
  const metaInner = new Uint8Array(roundUp(4 + metaJson.length, META_BLOCK));
  metaInner.set(u32(metaJson.length), 0);
  metaInner.set(metaJson, 4);
  const metaBox = secretbox(fk, chunkNonce(prefix, 0, false), metaInner);
  wipe(metaInner);
  const first = concat(
    Uint8Array.of(VERSION, Kind.ATTACHMENT),
    u32(chunkSize),
    prefix,
    keyNonce,
    secretbox(reportKey, keyNonce, fk),
    u32(metaBox.length),
    metaBox,
  );
  return { fk, prefix, first };
}

// Yields the header and metadata as the first piece, then one piece per chunk.
/**
 * @param {Uint8Array} reportKey
 * @param {Blob | Uint8Array} input
 * @param {EncryptOptions} [options]
 * @returns {AsyncGenerator<Uint8Array, void, undefined>}
 */
export async function* encryptAttachment(reportKey, input, options = {}) {
  let fk;
  try {
    requireBytes(reportKey, "report key", 32);
    if (options === null || typeof options !== "object") fail("attachment options must be an object");
    const file = isBlob(input) ? input : null;
    const source = byteSource(input);
    const name = options.name !== undefined ? options.name : file && "name" in file && typeof file.name === "string" ? file.name : "";
    const type = options.type !== undefined ? options.type : file ? file.type : "";
    const chunkSize = options.chunkSize !== undefined ? options.chunkSize : CHUNK_SIZE;
    checkText(name, "name");
    checkText(type, "type");
    checkChunkSize(chunkSize);
    const size = source.size;
    if (!Number.isSafeInteger(size)) fail("attachment too large");
    // n >= 1: an empty file is one empty final chunk.
    const n = Math.max(1, Math.ceil(size / chunkSize));
    if (n > MAX_INDEX) fail("attachment too large for this chunk size");
    const started = startAttachment(reportKey, { name, type, size }, chunkSize);
    fk = started.fk;
    yield started.first;
    for (let i = 1; i <= n; i++) {
      const start = (i - 1) * chunkSize;
      const end = Math.min(start + chunkSize, size);
      const plaintext = await source.read(start, end);
      yield secretbox(fk, chunkNonce(started.prefix, i, i === n), plaintext);
    }
  } catch (err) {
    throw convertError(err);
  } finally {
    wipe(fk);
  }
}

/**
 * @param {Uint8Array} reportKey
 * @param {Blob | Uint8Array} input
 * @param {EncryptOptions} [options]
 * @returns {Promise<Uint8Array>}
 */
export async function encryptAttachmentToBytes(reportKey, input, options) {
  const pieces = [];
  for await (const piece of encryptAttachment(reportKey, input, options)) pieces.push(piece);
  return concat(...pieces);
}

/**
 * @param {unknown} meta
 * @returns {AttachmentMeta}
 */
function checkMeta(meta) {
  if (!isPlainObject(meta)) fail("attachment metadata is not a JSON object");
  const keys = Object.keys(meta);
  if (keys.length !== 3 || !("name" in meta) || !("type" in meta) || !("size" in meta)) {
    fail("attachment metadata has the wrong members");
  }
  const { name, type, size } = meta;
  if (typeof name !== "string" || typeof type !== "string") {
    fail("attachment metadata: name and type must be strings");
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) fail("attachment metadata: bad size");
  return { name, type, size };
}

/**
 * A stream opened as far as its metadata: the file key, the chunk layout and
 * the authenticated name, type and size.
 * @typedef {object} OpenedStart
 * @property {Uint8Array} fk
 * @property {Uint8Array} prefix
 * @property {number} chunkSize
 * @property {number} pos where the first chunk starts
 * @property {AttachmentMeta} meta
 */

// Opens the header and the metadata of a stream `total` bytes long, reading
// only its first bytes from `source` (the whole stream, or just its start).
// The file key is wiped here if anything fails, else by the caller.
/**
 * @param {Uint8Array} reportKey
 * @param {ByteSource} source
 * @param {number} total
 * @returns {Promise<OpenedStart>}
 */
async function openStart(reportKey, source, total) {
  requireBytes(reportKey, "report key", 32);
  if (source.size < HEADER_BYTES + 4 || total < HEADER_BYTES + 4) fail("attachment: truncated header");
  const header = await source.read(0, HEADER_BYTES + 4);
  if (header[0] !== VERSION) fail("attachment: unsupported version");
  if (header[1] !== Kind.ATTACHMENT) fail("attachment: wrong kind");
  const chunkSize = readU32(header, 2);
  checkChunkSize(chunkSize);
  const prefix = header.slice(6, 6 + PREFIX_BYTES);
  const keyNonce = header.slice(25, 49);
  const fk = secretboxOpen(reportKey, keyNonce, header.subarray(49, HEADER_BYTES));
  if (fk === null) fail("attachment: file key authentication failed (wrong key or tampered)");
  try {
    const metaLength = readU32(header, HEADER_BYTES);
    if (metaLength < META_BOX_MIN || metaLength > META_BOX_MAX || (metaLength - TAG_BYTES) % META_BLOCK !== 0) {
      fail("attachment: bad metadata length");
    }
    let pos = HEADER_BYTES + 4;
    if (source.size < pos + metaLength || total < pos + metaLength) fail("attachment: truncated metadata");
    const metaInner = secretboxOpen(fk, chunkNonce(prefix, 0, false), await source.read(pos, pos + metaLength));
    if (metaInner === null) fail("attachment: metadata authentication failed");
    pos += metaLength;
    const jsonLength = readU32(metaInner, 0);
    if (jsonLength > META_JSON_MAX || jsonLength > metaInner.length - 4) fail("attachment: bad metadata");
    for (let i = 4 + jsonLength; i < metaInner.length; i++) {
      if (metaInner[i] !== 0) fail("attachment: non-zero metadata padding");
    }
    const meta = checkMeta(parseJSON(metaInner.subarray(4, 4 + jsonLength), "attachment metadata"));
    // Plaintext never exceeds ciphertext; refuse before anyone allocates `size`.
    if (meta.size > total - pos) fail("attachment: truncated (size larger than the stream)");
    return { fk, prefix, chunkSize, pos, meta };
  } catch (err) {
    wipe(fk);
    throw err;
  }
}

// Opens header and metadata, then yields { meta } followed by plaintext
// chunks. Nothing yielded is trustworthy until the generator has finished
// without an error (the end of the stream is authenticated last).
/**
 * @param {Uint8Array} reportKey
 * @param {Blob | Uint8Array} input
 * @returns {AsyncGenerator<{ meta: AttachmentMeta } | Uint8Array, void, undefined>}
 */
export async function* openAttachmentPieces(reportKey, input) {
  /** @type {Uint8Array | undefined} */
  let fk;
  try {
    const source = byteSource(input);
    const total = source.size;
    const start = await openStart(reportKey, source, total);
    fk = start.fk;
    const { prefix, chunkSize, meta } = start;
    let pos = start.pos;
    yield { meta };
    if (pos === total) fail("attachment: truncated (no chunk)");
    let got = 0;
    for (let i = 1; pos < total; i++) {
      if (i > MAX_INDEX) fail("attachment: too many chunks");
      const length = Math.min(chunkSize + TAG_BYTES, total - pos);
      const final = pos + length === total;
      const plaintext = secretboxOpen(fk, chunkNonce(prefix, i, final), await source.read(pos, pos + length));
      if (plaintext === null) fail(`attachment: chunk ${i} failed authentication (tampered, reordered or truncated)`);
      got += plaintext.length;
      if (got > meta.size) fail("attachment: more data than the metadata says");
      pos += length;
      yield plaintext;
    }
    if (got !== meta.size) fail("attachment: size does not match the metadata");
  } catch (err) {
    throw convertError(err);
  } finally {
    wipe(fk);
  }
}

// The name, type and size sealed in an attachment, from the stream's first
// bytes alone (at least its header and metadata; the server sends
// ATTACHMENT_INFO_SIZE of them) and the whole stream's length. They are
// authenticated; that the rest of the stream matches them is checked only
// when it is decrypted.
/**
 * @param {Uint8Array} reportKey
 * @param {Uint8Array} head
 * @param {number} total the whole stream's length in bytes
 * @returns {Promise<AttachmentMeta>}
 */
export async function openAttachmentInfo(reportKey, head, total) {
  try {
    if (!isBytes(head)) fail("attachment: the head must be bytes");
    if (!Number.isSafeInteger(total) || total < head.length) fail("attachment: bad stream length");
    const { fk, meta } = await openStart(reportKey, byteSource(head), total);
    wipe(fk);
    return meta;
  } catch (err) {
    throw convertError(err);
  }
}

/**
 * @param {Uint8Array} reportKey
 * @param {Blob | Uint8Array} input
 * @returns {Promise<AttachmentMeta & { data: Uint8Array<ArrayBuffer> }>}
 */
export async function decryptAttachment(reportKey, input) {
  /** @type {AttachmentMeta | null} */
  let meta = null;
  let data = new Uint8Array(0);
  let offset = 0;
  for await (const piece of openAttachmentPieces(reportKey, input)) {
    if (piece instanceof Uint8Array) {
      data.set(piece, offset);
      offset += piece.length;
    } else {
      meta = piece.meta;
      data = new Uint8Array(meta.size);
    }
  }
  // The pieces start with the metadata, or the stream fails before any.
  if (meta === null) return fail("attachment: no metadata");
  return { name: meta.name, type: meta.type, size: meta.size, data };
}

/**
 * @param {unknown} err
 * @returns {import("./errors.js").VigilCryptoError}
 */
function convertError(err) {
  return convert("attachment", err);
}
