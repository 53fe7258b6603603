// The single error type of the browser implementation (docs/crypto.md, "Errors").
// Messages say which check failed and never contain key material or plaintext.

export class VigilCryptoError extends Error {
  constructor(message) {
    super(message);
    this.name = "VigilCryptoError";
  }
}

export function fail(message) {
  throw new VigilCryptoError(message);
}

// Any other exception (a TypeError from a dependency, a RangeError from an
// allocation, a SyntaxError from JSON.parse, ...) becomes a VigilCryptoError.
// Only the foreign error's *name* is kept: V8's JSON.parse messages quote the
// input, which may be plaintext.
export function convert(what, err) {
  if (err instanceof VigilCryptoError) return err;
  const name = err && typeof err.name === "string" ? err.name : "Error";
  return new VigilCryptoError(`${what}: unexpected failure (${name})`);
}

export function guard(what, fn) {
  return function guarded(...args) {
    try {
      return fn.apply(this, args);
    } catch (err) {
      throw convert(what, err);
    }
  };
}

export function guardAsync(what, fn) {
  return async function guarded(...args) {
    try {
      return await fn.apply(this, args);
    } catch (err) {
      throw convert(what, err);
    }
  };
}
