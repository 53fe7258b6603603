// The single error type of the browser implementation (docs/crypto.md, "Errors").
// Messages say which check failed and never contain key material or plaintext.

export class VigilCryptoError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = "VigilCryptoError";
  }
}

/**
 * @param {string} message
 * @returns {never}
 */
export function fail(message) {
  throw new VigilCryptoError(message);
}

// Any other exception (a TypeError from a dependency, a RangeError from an
// allocation, a SyntaxError from JSON.parse, ...) becomes a VigilCryptoError.
// Only the foreign error's *name* is kept: V8's JSON.parse messages quote the
// input, which may be plaintext.
/**
 * @param {string} what
 * @param {unknown} err
 * @returns {VigilCryptoError}
 */
export function convert(what, err) {
  if (err instanceof VigilCryptoError) return err;
  const name =
    typeof err === "object" && err !== null && "name" in err && typeof err.name === "string" ? err.name : "Error";
  return new VigilCryptoError(`${what}: unexpected failure (${name})`);
}

/**
 * `fn`, with every exception it throws converted.
 * @template {unknown[]} A
 * @template R
 * @param {string} what
 * @param {(...args: A) => R} fn
 * @returns {(...args: A) => R}
 */
export function guard(what, fn) {
  /**
   * @this {unknown}
   * @param {A} args
   */
  return function guarded(...args) {
    try {
      return fn.apply(this, args);
    } catch (err) {
      throw convert(what, err);
    }
  };
}

/**
 * `fn`, with every exception it throws or rejects with converted.
 * @template {unknown[]} A
 * @template R
 * @param {string} what
 * @param {(...args: A) => Promise<R>} fn
 * @returns {(...args: A) => Promise<R>}
 */
export function guardAsync(what, fn) {
  /**
   * @this {unknown}
   * @param {A} args
   */
  return async function guarded(...args) {
    try {
      return await fn.apply(this, args);
    } catch (err) {
      throw convert(what, err);
    }
  };
}
