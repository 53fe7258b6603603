// Vigil protocol v1 in the browser (docs/crypto.md).
//
// Bundled by `npm run build` into the classic script static/dist/vigil-crypto.js,
// which defines the global `VigilCrypto`. No eval, no WebAssembly: it runs
// under the site's strict Content-Security-Policy and in Tor Browser.
// Every failure throws VigilCryptoError.

import { VigilCryptoError, b64decode as rawB64decode, b64encode as rawB64encode, guard, guardAsync } from "./internal.js";
import * as receipt from "./receipt.js";
import * as records from "./records.js";
import * as attachments from "./attachments.js";

export { VigilCryptoError };
export const PROTOCOL_VERSION = records.VERSION;
export const RecordKind = records.RecordKind;
export const Kind = records.Kind;
export const CHUNK_SIZE = attachments.CHUNK_SIZE;
export const RECORD_MAX_PAYLOAD = records.RECORD_MAX_PAYLOAD;

export const b64encode = guard("b64encode", rawB64encode);
export const b64decode = guard("b64decode", rawB64decode);

export const generateReceipt = guard("generateReceipt", receipt.generateReceipt);
export const parseReceipt = guard("parseReceipt", receipt.parseReceipt);
export const reporterKeyPair = guard("reporterKeyPair", receipt.reporterKeyPair);
export const lookupToken = guard("lookupToken", receipt.lookupToken);
export const lookupHash = guard("lookupHash", receipt.lookupHash);
export const fingerprint = guard("fingerprint", receipt.fingerprint);

export const generateReportKey = guard("generateReportKey", records.generateReportKey);
export const sealRecord = guard("sealRecord", records.sealRecord);
export const openRecord = guard("openRecord", records.openRecord);
export const wrapReportKey = guard("wrapReportKey", records.wrapReportKey);
export const unwrapReportKey = guard("unwrapReportKey", records.unwrapReportKey);
export const sealReport = guard("sealReport", records.sealReport);
export const openReport = guard("openReport", records.openReport);

// Async generator: its own errors are converted inside.
export const encryptAttachment = attachments.encryptAttachment;
export const encryptAttachmentToBytes = guardAsync("encryptAttachment", attachments.encryptAttachmentToBytes);
export const decryptAttachment = guardAsync("decryptAttachment", attachments.decryptAttachment);
export const openAttachmentInfo = guardAsync("openAttachmentInfo", attachments.openAttachmentInfo);
