// Encrypt a file in the browser and upload the ciphertext in parts
// (docs/submission.md, "Attachments"; docs/crypto.md, "Attachments").
//
// Memory stays bounded by one part whatever the file size: the crypto
// bundle's encryptAttachment reads the File 64 KiB at a time and yields
// ciphertext pieces, which are gathered into parts of PART_BYTES and sent one
// after the other. A part is dropped as soon as the server has acknowledged it.
//
// The server tells us how much it holds. After a network error the same part
// is sent again at the same offset; if the server had in fact stored it (or
// some of it) it answers 409 with `received`, and we send only what it lacks.
// Encryption is randomised, so bytes from before the current part cannot be
// made again: if the server ever claims less than that, the file is started
// over as a new upload.

import { ApiError, NetworkError, postBytes, postJSON, withRetry } from "./api.js";

// At most 8 MiB per request (the server's limit); 4 MiB keeps a retry over a
// slow circuit cheap while the per-request overhead stays small.
export const PART_BYTES = 4 * 1024 * 1024;

class StartOver extends Error {}

// The ciphertext is a little longer than the file: 101 bytes of header, the
// metadata box, and 16 bytes per 64 KiB chunk. Good enough for a progress bar.
export function ciphertextEstimate(size) {
  return size + 101 + 272 + 16 * Math.max(1, Math.ceil(size / 65536));
}

async function sendPart(id, offset, part, csrf, hooks) {
  const end = offset + part.size;
  let at = offset;
  for (let round = 1; ; round++) {
    const from = at;
    try {
      const answer = await withRetry(
        () =>
          postBytes(`/api/uploads/${encodeURIComponent(id)}?offset=${from}`, part.slice(from - offset), csrf, (n) =>
            hooks.onBytes(from + n),
          ),
        { onRetry: hooks.onRetry },
      );
      return answer.received;
    } catch (err) {
      // The upload expired (24 h) or was never there: start the file again.
      if (err instanceof ApiError && err.status === 404) throw new StartOver();
      if (!(err instanceof ApiError) || err.code !== "offset_mismatch" || !Number.isInteger(err.data.received)) {
        throw err;
      }
      const received = err.data.received;
      if (received === end) return received; // the part had arrived; only the answer was lost
      if (received < offset || received > end || round >= 5) throw new StartOver();
      at = received; // some of it arrived: send the rest, from where the server stands
      hooks.onBytes(at);
    }
  }
}

async function uploadOnce(rk, file, csrf, hooks) {
  const V = hooks.V;
  const { upload: id } = await withRetry(() => postJSON("/api/uploads", {}, csrf), { onRetry: hooks.onRetry });
  let offset = 0;
  let pieces = [];
  let buffered = 0;
  const flush = async () => {
    const part = new Blob(pieces, { type: "application/octet-stream" });
    pieces = [];
    buffered = 0;
    const received = await sendPart(id, offset, part, csrf, hooks);
    if (received !== offset + part.size) throw new StartOver();
    offset = received;
    hooks.onBytes(offset);
  };
  for await (const piece of V.encryptAttachment(rk, file)) {
    if (buffered + piece.length > PART_BYTES && buffered > 0) await flush();
    pieces.push(piece);
    buffered += piece.length;
  }
  if (buffered > 0) await flush();
  return id;
}

// Encrypt `file` under the report key `rk` and upload it; resolves to the
// upload id to name in the report or message. hooks: { V, onBytes(sent),
// onRetry(seconds) }.
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
