// Encrypt a file in the browser and upload the ciphertext in parts
// (docs/submission.md, "Attachments"; docs/crypto.md, "Attachments").
//
// Memory stays bounded by one part whatever the file size: the crypto
// bundle's encryptAttachment reads the File 64 KiB at a time and yields
// ciphertext pieces, which are gathered into parts (partBytesFor) and sent one
// after the other. A part is dropped as soon as the server has acknowledged it.
//
// The server tells us how much it holds. After a network error the same part
// is sent again at the same offset; if the server had in fact stored it (or
// some of it) it answers 409 with `received`, and we send only what it lacks.
// Encryption is randomised, so bytes from before the current part cannot be
// made again: if the server ever claims less than that, the file is started
// over as a new upload.

import { ApiError, NetworkError, postBytes, postJSON, withRetry } from "./api.js";
import { dataNumber } from "./dom.js";

/** @import { VigilCrypto } from "./vigil.js" */

/**
 * @typedef {object} UploadHooks
 * @property {VigilCrypto} V
 * @property {number} partBytes the most ciphertext to send in one request
 * @property {(sent: number) => void} onBytes how many bytes of the ciphertext the server holds
 * @property {(seconds: number) => void} onRetry a transient failure: trying again in `seconds`
 */

// 4 MiB keeps a retry over a slow circuit cheap while the per-request
// overhead stays small.
const PREFERRED_PART_BYTES = 4 * 1024 * 1024;

/**
 * The size of a part: 4 MiB, or less where the server takes less in one
 * request (its limit is rendered on the form as data-max-part-bytes).
 * @param {HTMLElement} form
 * @returns {number}
 */
export function partBytesFor(form) {
  return Math.min(PREFERRED_PART_BYTES, dataNumber(form, "maxPartBytes", PREFERRED_PART_BYTES));
}

class StartOver extends Error {}

// The ciphertext is a little longer than the file: 101 bytes of header, the
// metadata box, and 16 bytes per 64 KiB chunk. Good enough for a progress bar.
/**
 * @param {number} size the file's size
 * @returns {number}
 */
export function ciphertextEstimate(size) {
  return size + 101 + 272 + 16 * Math.max(1, Math.ceil(size / 65536));
}

// Send one part, resuming from what the server says it holds; returns the
// bytes the upload now has. `final` marks the last part, which completes the
// upload (the server checks the whole stream's layout and takes no more).
/**
 * @param {string} id the upload
 * @param {number} offset where the part starts in the ciphertext
 * @param {Uint8Array<ArrayBuffer>} part
 * @param {boolean} final
 * @param {string} csrf
 * @param {UploadHooks} hooks
 * @returns {Promise<number>}
 */
async function sendPart(id, offset, part, final, csrf, hooks) {
  const end = offset + part.length;
  let at = offset;
  for (let round = 1; ; round++) {
    const from = at;
    const url = `/api/uploads/${encodeURIComponent(id)}?offset=${from}${final ? "&final=1" : ""}`;
    try {
      const answer = /** @type {{ received: number }} */ (
        await withRetry(() => postBytes(url, part.subarray(from - offset), csrf, (n) => hooks.onBytes(from + n)), {
          onRetry: hooks.onRetry,
        })
      );
      return answer.received;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // The final part had arrived and completed the upload; its answer was lost.
      if (err.code === "upload_complete" && final) return end;
      // The upload expired or was never there: start the file again.
      if (err.status === 404 || err.code === "upload_complete") throw new StartOver();
      const received = err.data.received;
      if (err.code !== "offset_mismatch" || typeof received !== "number" || !Number.isInteger(received)) throw err;
      if (received < offset || received > end || round >= 5) throw new StartOver();
      // The part had arrived; only the answer was lost.
      if (received === end && !final) return received;
      // Some of it arrived: send the rest from where the server stands (for
      // the final part possibly nothing, just the final mark).
      at = received;
      hooks.onBytes(at);
    }
  }
}

/**
 * @param {Uint8Array} rk
 * @param {File} file
 * @param {string} csrf
 * @param {UploadHooks} hooks
 * @returns {Promise<string>} the upload id
 */
async function uploadOnce(rk, file, csrf, hooks) {
  const { V, partBytes } = hooks;
  const { upload: id } = /** @type {{ upload: string }} */ (
    await withRetry(() => postJSON("/api/uploads", {}, csrf), { onRetry: hooks.onRetry })
  );
  let offset = 0;
  // One buffer for the whole file, reused part after part: the part's bytes
  // are sent as they are (not as a Blob), so what leaves the browser is
  // exactly this ciphertext, and memory stays at one part.
  const buffer = new Uint8Array(partBytes);
  let buffered = 0;
  /** @param {boolean} final */
  const flush = async (final) => {
    const part = buffer.subarray(0, buffered);
    const received = await sendPart(id, offset, part, final, csrf, hooks);
    if (received !== offset + part.length) throw new StartOver();
    offset = received;
    buffered = 0;
    hooks.onBytes(offset);
  };
  for await (const piece of V.encryptAttachment(rk, file)) {
    if (buffered + piece.length > partBytes && buffered > 0) await flush(false);
    buffer.set(piece, buffered);
    buffered += piece.length;
  }
  // Never empty here: the piece that overflowed a part is always kept for the next.
  await flush(true);
  return id;
}

// Encrypt `file` under the report key `rk` and upload it; resolves to the
// upload id to name in the report or message.
/**
 * @param {Uint8Array} rk
 * @param {File} file
 * @param {string} csrf
 * @param {UploadHooks} hooks
 * @returns {Promise<string>}
 */
export async function uploadFile(rk, file, csrf, hooks) {
  for (let round = 1; ; round++) {
    try {
      return await uploadOnce(rk, file, csrf, hooks);
    } catch (err) {
      if (!(err instanceof StartOver)) throw err;
      if (round >= 3) throw new NetworkError();
      hooks.onBytes(0);
    }
  }
}
