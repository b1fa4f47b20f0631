"use strict";
// The error family: the generated classes (gen/errors.cjs, from
// surface/errors.toml) plus the two transport failures the official SDK's
// users catch: InkboxConnectionError (no response) and InkboxTimeoutError.

const gen = require("./gen/errors.cjs");

/** The request got no response: connection refused, DNS, TLS, reset. `cause` holds the transport's error. */
class InkboxConnectionError extends gen.InkboxTransportError {
  constructor(message, options) {
    super(message, options);
    this.name = "InkboxConnectionError";
    if (!(options && options.code)) this.code = "transport.connect";
  }
}

/** The request timed out (`timeoutMs`); `cause` holds the abort error. */
class InkboxTimeoutError extends InkboxConnectionError {
  constructor(message, options) {
    super(message, options);
    this.name = "InkboxTimeoutError";
    if (!(options && options.code)) this.code = "transport.timeout";
  }
}

/** An operation the official SDK calls that inkbox-core does not have yet. */
class InkboxUnsupportedOperationError extends gen.InkboxError {
  constructor(method, operation) {
    super(`${method}: the operation ${operation} is not in inkbox-core yet`, { code: "api.unsupported_operation" });
    this.name = "InkboxUnsupportedOperationError";
    this.method = method;
    this.operation = operation;
  }
}

module.exports = {
  ...gen,
  KINDS: { ...gen.KINDS, InkboxConnectionError: "message", InkboxTimeoutError: "message", InkboxUnsupportedOperationError: "message" },
  InkboxConnectionError,
  InkboxTimeoutError,
  InkboxUnsupportedOperationError,
};
