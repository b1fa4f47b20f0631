"use strict";
// Every examples/node/NN_*.mjs runs to exit status 0 against its own fresh
// emulator, importing the package by name (examples/node/node_modules/@inkbox-core/sdk
// is linked to ffi-node here).

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startEmulator, REPO } = require("./_emulator.cjs");

const DIR = path.join(REPO, "examples", "node");
const SCRIPTS = fs.readdirSync(DIR).filter((f) => /^\d\d_.*\.mjs$/.test(f)).sort();

test.before(() => {
  const scope = path.join(DIR, "node_modules", "@inkbox-core");
  fs.mkdirSync(scope, { recursive: true });
  const link = path.join(scope, "sdk");
  try {
    fs.unlinkSync(link);
  } catch {
    /* not there yet */
  }
  fs.symlinkSync(path.join(REPO, "ffi-node"), link, "dir");
});

test("the examples README lists every script", () => {
  const text = fs.readFileSync(path.join(DIR, "README.md"), "utf8");
  const listed = new Set([...text.matchAll(/`(\d\d_[A-Za-z0-9_]+\.mjs)`/g)].map((m) => m[1]));
  assert.deepEqual([...listed].sort(), SCRIPTS);
  assert.ok(SCRIPTS.length >= 8);
});

for (const script of SCRIPTS) {
  test(`example ${script} runs`, async () => {
    const emu = await startEmulator();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "inkbox-example-"));
    try {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("INKBOX_")));
      Object.assign(env, { INKBOX_API_KEY: emu.adminKey, INKBOX_BASE_URL: emu.url, INKBOX_EMULATOR: "1", HOME: home });
      const r = await new Promise((resolve) => {
        const { spawn } = require("node:child_process");
        const p = spawn(process.execPath, [path.join(DIR, script)], { cwd: home, env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (err += d));
        const timer = setTimeout(() => p.kill("SIGKILL"), 120000);
        p.on("exit", (code) => {
          clearTimeout(timer);
          resolve({ code, out, err });
        });
      });
      assert.equal(r.code, 0, `${script} exited ${r.code}\n--- stdout ---\n${r.out}\n--- stderr ---\n${r.err}`);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
      assert.equal(await emu.stop(), 0);
    }
  });
}

