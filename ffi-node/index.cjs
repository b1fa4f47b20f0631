"use strict";
// The package's CommonJS entry point (index.mjs re-exports it as ESM).

const errors = require("./js/errors.cjs");
const enums = require("./js/gen/enums.cjs");
const { Inkbox } = require("./js/client.cjs");
const { AgentIdentity } = require("./js/identity.cjs");
const { UnlockedVault } = require("./js/vault.cjs");
const { Credentials } = require("./js/credentials.cjs");
const helpers = require("./js/webhook.cjs");
const { VERSION } = require("./js/version.cjs");
const { pendingExports } = require("./js/pending.cjs");

const { KINDS, ...errorClasses } = errors;
void KINDS;

module.exports = {
  Inkbox,
  AgentIdentity,
  UnlockedVault,
  Credentials,
  VERSION,
  ...helpers,
  ...enums,
  ...errorClasses,
  ...pendingExports(errors),
};
