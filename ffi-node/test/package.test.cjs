"use strict";
// `npm pack` gives a tarball that installs in a fresh directory and imports
// from CommonJS and from ESM, with the same exports.

const test = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const PKG = path.resolve(__dirname, "..");

test("npm pack installs and imports (CJS and ESM) in a fresh directory", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inkbox-node-pack-"));
  try {
    const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: PKG, encoding: "utf8" }).trim();
    const tgz = path.join(dir, out.split("\n").pop());
    assert.ok(fs.existsSync(tgz), tgz);
    const app = path.join(dir, "app");
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
    execFileSync("npm", ["install", "--silent", "--no-audit", "--no-fund", "--offline", tgz], { cwd: app, stdio: "pipe" });
    const cjs = execFileSync(process.execPath, ["-e", `
      const sdk = require("@inkbox-core/sdk");
      const names = Object.keys(sdk).sort();
      if (typeof sdk.Inkbox !== "function" || typeof sdk.verifyWebhook !== "function") process.exit(3);
      console.log(JSON.stringify(names));`], { cwd: app, encoding: "utf8" });
    const esm = execFileSync(process.execPath, ["--input-type=module", "-e", `
      import * as sdk from "@inkbox-core/sdk";
      import { Inkbox, InkboxAPIError } from "@inkbox-core/sdk";
      if (typeof Inkbox !== "function" || typeof InkboxAPIError !== "function") process.exit(3);
      console.log(JSON.stringify(Object.keys(sdk).filter((n) => n !== "default").sort()));`], { cwd: app, encoding: "utf8" });
    assert.deepEqual(JSON.parse(esm), JSON.parse(cjs));
    assert.ok(JSON.parse(cjs).length > 60);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
