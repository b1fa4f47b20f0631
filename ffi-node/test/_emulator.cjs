"use strict";
// Starts a fresh emulator (tests/emulator) on a free loopback port and stops it.
// The binary: $INKBOX_EMULATOR_BIN, else $CARGO_TARGET_DIR/debug/inkbox-emulator,
// else <repo>/target/debug/inkbox-emulator.

const { spawn } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");
const readline = require("node:readline");

const REPO = path.resolve(__dirname, "..", "..");

function emulatorBin() {
  if (process.env.INKBOX_EMULATOR_BIN) return process.env.INKBOX_EMULATOR_BIN;
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(REPO, process.env.CARGO_TARGET_DIR) : path.join(REPO, "target");
  return path.join(target, "debug", "inkbox-emulator");
}

/** Resolves {url, adminKey, orgId, control(method, path, body), fault(spec), stop()}. */
async function startEmulator(extraArgs = []) {
  const bin = emulatorBin();
  if (!fs.existsSync(bin)) throw new Error(`emulator binary not found at ${bin} (cargo build -p inkbox-emulator)`);
  const proc = spawn(bin, ["--port", "0", ...extraArgs], { stdio: ["ignore", "pipe", "inherit"] });
  const rl = readline.createInterface({ input: proc.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("emulator printed nothing within 30 s")), 30000);
    rl.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code}) before printing its address`));
    });
  });
  rl.on("line", () => {}); // keep draining
  const hello = JSON.parse(first);
  const emu = {
    url: hello.url,
    adminKey: hello.admin_api_key,
    orgId: hello.organization_id,
    proc,
    async control(method, p, body) {
      const init = { method, headers: { "X-API-Key": hello.admin_api_key } };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers["Content-Type"] = "application/json";
      }
      const r = await fetch(hello.url + p, init);
      const text = await r.text();
      if (!r.ok) throw new Error(`control ${method} ${p}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    fault(spec) {
      return emu.control("POST", "/_emulator/faults", spec);
    },
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      const exited = new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
      proc.kill("SIGTERM");
      let timer;
      const late = new Promise((r) => {
        timer = setTimeout(() => r("timeout"), 10000);
      });
      const code = await Promise.race([exited, late]);
      clearTimeout(timer); // a pending timer would keep the test process alive 10 s
      if (code === "timeout") {
        proc.kill("SIGKILL");
        return exited;
      }
      return code;
    },
  };
  return emu;
}

module.exports = { startEmulator, emulatorBin, REPO };
