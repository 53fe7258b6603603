// One import point for the helpers shared by the modules.
export { VigilCryptoError, fail, convert, guard, guardAsync } from "./errors.js";
export * from "./bytes.js";
