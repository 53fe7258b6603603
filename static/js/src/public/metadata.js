// Hidden details in photos, removed in the browser before a file is encrypted.
//
// A JPEG or PNG taken with a phone or edited on a work computer can carry the
// camera, the device's serial number, GPS coordinates, the author's name and
// the editing software besides the picture. Such details can identify a
// reporter even though the file travels encrypted, because investigators,
// and whoever a case is referred to, open it. The reporter chooses; by default
// they are removed (docs/submission.md, "Hidden details in files").
//
// Only the containers' metadata is removed; the picture's bytes are copied
// unchanged. JPEG: APP1 (Exif, XMP), APP3 to APP13 (including Photoshop's
// IPTC block), APP15 and comments go; JFIF (APP0), the colour profile (APP2)
// and Adobe's colour transform (APP14) stay, because the picture needs them.
// Orientation is Exif, so a photo may show turned. PNG: the text chunks
// (tEXt, zTXt, iTXt), eXIf and tIME go. A file that is not well formed is
// left as it is: nothing is guessed.

const JPEG_KEPT_APP = new Set([0xe0, 0xe2, 0xee]);
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_DROPPED = new Set(["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]);

/**
 * @param {Uint8Array} bytes
 * @returns {Uint8Array<ArrayBuffer> | null} the JPEG without its metadata segments, or null if it is not one
 */
export function jpegWithoutMetadata(bytes) {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  /** @type {Uint8Array[]} */
  const kept = [bytes.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) {
      // End of image, or start of scan: the rest is the picture itself.
      kept.push(bytes.subarray(at));
      return concat(kept);
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (length < 2 || at + 2 + length > bytes.length) return null;
    const metadata = (marker >= 0xe0 && marker <= 0xef && !JPEG_KEPT_APP.has(marker)) || marker === 0xfe;
    if (!metadata) kept.push(bytes.subarray(at, at + 2 + length));
    at += 2 + length;
  }
  return null;
}

/**
 * @param {Uint8Array} bytes
 * @returns {Uint8Array<ArrayBuffer> | null} the PNG without its metadata chunks, or null if it is not one
 */
export function pngWithoutMetadata(bytes) {
  if (bytes.length < 8 || PNG_SIGNATURE.some((byte, i) => bytes[i] !== byte)) return null;
  /** @type {Uint8Array[]} */
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
    const end = at + 12 + length;
    if (end > bytes.length) return null;
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (!PNG_DROPPED.has(type)) kept.push(bytes.subarray(at, end));
    at = end;
    if (type === "IEND") return concat(kept);
  }
  return null;
}

/**
 * @param {Uint8Array[]} parts
 * @returns {Uint8Array<ArrayBuffer>}
 */
function concat(parts) {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * `file` without the hidden details of a JPEG or PNG, under the same name;
 * any other file, or one that is not well formed, as it is.
 * @param {File} file
 * @returns {Promise<File>}
 */
export async function withoutMetadata(file) {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  const strip = head[0] === 0xff && head[1] === 0xd8 ? jpegWithoutMetadata : head[0] === 0x89 ? pngWithoutMetadata : null;
  if (!strip) return file;
  const cleaned = strip(new Uint8Array(await file.arrayBuffer()));
  if (!cleaned) return file;
  return new File([cleaned], file.name, { type: file.type, lastModified: file.lastModified });
}
