// Shared helpers of the Node conformance suite: the emulator process, its control
// API, unique handles and a loopback webhook receiver. Not a test file itself.
//
// useEmulator() registers before/after hooks in the calling test file: one fresh
// emulator (`--port 0`, its own org) per file, stopped with SIGTERM afterwards,
// which must end it with exit status 0.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { Inkbox } from "@inkbox/sdk";

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export function emulatorBin() {
  const explicit = process.env.INKBOX_EMULATOR_BIN;
  if (!explicit) {
    throw new Error("INKBOX_EMULATOR_BIN is not set (scripts/conformance-node.sh sets it)");
  }
  return explicit;
}

export class ControlError extends Error {
  constructor(status, body) {
    super(`control API answered ${status}: ${JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

export class Emulator {
  constructor(proc, hello) {
    this.proc = proc;
    this.url = hello.url;
    this.adminKey = hello.admin_api_key;
    this.orgId = hello.organization_id;
    this.exit = once(proc, "exit").then(([code, signal]) => ({ code, signal }));
  }

  /** One HTTP request to the emulator: `{status, body}` (JSON, text or null). */
  async raw(method, path, body, { apiKey, headers = {} } = {}) {
    const h = { Accept: "application/json", ...headers };
    if (body !== undefined) h["Content-Type"] = "application/json";
    if (apiKey) h["X-API-Key"] = apiKey;
    const resp = await fetch(this.url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await resp.text();
    let parsed = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: resp.status, body: parsed, headers: resp.headers };
  }

  /** `/_emulator/...` with the admin key; throws ControlError on 4xx/5xx. */
  async control(method, path, body) {
    const { status, body: data } = await this.raw(method, path, body, { apiKey: this.adminKey });
    if (status >= 400) throw new ControlError(status, data);
    return data;
  }

  async outbox() {
    const data = await this.control("GET", "/_emulator/outbox");
    for (const key of ["messages", "outbox", "items", "data"]) {
      if (data && Array.isArray(data[key])) return data[key];
    }
    return data;
  }

  advanceClock(seconds) {
    return this.control("POST", "/_emulator/clock", { advance: seconds });
  }

  /** The official client, as its README constructs it. */
  client(apiKey = this.adminKey, options = {}) {
    return new Inkbox({ apiKey, baseUrl: this.url, ...options });
  }

  /** SIGTERM, then the exit status (SIGKILL after STOP_TIMEOUT_MS). */
  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGTERM");
    }
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), STOP_TIMEOUT_MS);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }
}

export async function startEmulator(extraArgs = []) {
  const proc = spawn(emulatorBin(), ["--port", "0", ...extraArgs], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: proc.stdout });
  const first = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`emulator printed nothing within ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    proc.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code}) before printing its address`));
    });
  });
  // Later stdout lines are read and dropped, so the emulator never blocks on a full pipe.
  let hello;
  try {
    hello = JSON.parse(await first);
  } catch (err) {
    proc.kill("SIGKILL");
    throw err;
  }
  const url = new URL(hello.url);
  assert.equal(url.hostname, "127.0.0.1", "the emulator must listen on loopback");
  return new Emulator(proc, hello);
}

/**
 * One emulator for the calling test file. Returns a holder whose `.emu` is set
 * once the `before` hook has run; the `after` hook stops it and checks exit 0.
 */
export function useEmulator() {
  const holder = { emu: null };
  before(async () => {
    holder.emu = await startEmulator();
  });
  after(async () => {
    if (!holder.emu) return;
    const { code, signal } = await holder.emu.stop();
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, "emulator must exit 0 on SIGTERM");
  });
  return holder;
}

/** A unique agent handle (handles are unique across the emulator). */
export function handle(prefix = "agent") {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** A random `+1555…` remote number (opt-in state is per org and remote number). */
export function uniqueNumber() {
  return "+1555" + String(randomBytes(4).readUInt32BE(0) % 10_000_000).padStart(7, "0");
}

/** Loopback HTTP server recording every request (answers 200 `{}`). */
export async function startReceiver() {
  const deliveries = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const d = {
        method: req.method,
        path: req.url,
        headers: req.headers, // Node lower-cases names; verifyWebhook matches case-insensitively
        body: Buffer.concat(chunks),
        json() {
          return JSON.parse(this.body.toString("utf8"));
        },
      };
      deliveries.push(d);
      for (const w of [...waiters]) w();
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{}");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    /** The first delivery (arrival order) matching `predicate`, waiting up to `timeoutMs`. */
    wait(predicate = () => true, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = deliveries.find(predicate);
          if (!hit) return false;
          cleanup();
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching webhook delivery within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
        };
        if (!check()) waiters.push(check);
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}
