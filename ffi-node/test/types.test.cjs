"use strict";
// The bundled types (index.d.ts, types/generated.d.ts, agentpost.d.ts) as a
// user's TypeScript sees them: the official README's code type-checks under
// `tsc --strict` against our package, with the declarations themselves
// checked too (skipLibCheck off); a misuse is a type error.

const test = require("node:test");
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const PKG = path.resolve(__dirname, "..");
const TSC = path.join(PKG, "tools", "napi", "node_modules", ".bin", "tsc");

const GOOD = `
import { Inkbox, InkboxAPIError, InkboxConnectionError, MessageDirection, verifyWebhook, generateTotp, parseTotpUri } from "@inkbox-core/sdk";
import AgentPost from "@inkbox-core/sdk/agentpost";
declare const process: { env: Record<string, string | undefined> };

async function main(): Promise<void> {
  const inkbox = await new Inkbox({ apiKey: process.env.INKBOX_API_KEY!, vaultKey: process.env.INKBOX_VAULT_KEY, maxRetries: 0 }).ready();
  const identity = await inkbox.createIdentity("support-bot", { displayName: "Support Bot" });
  const phone = await identity.provisionPhoneNumber();
  await identity.sendEmail({ to: ["customer@example.com"], subject: "Your order has shipped", bodyText: "Tracking" });
  await identity.placeCall({ toNumber: "+18005559999", clientWebsocketUrl: "wss://my-app.com/voice" });
  for await (const message of identity.iterEmails()) {
    const d: Date = message.createdAt;
    console.log(message.subject, d, message.direction === MessageDirection.INBOUND);
  }
  console.log((await identity.listCalls()).length);
  const creds = await identity.getCredentials();
  for (const login of creds.listLogins()) console.log(login.name);
  try {
    await inkbox.getIdentity("nope");
  } catch (e) {
    if (e instanceof InkboxAPIError) console.log(e.statusCode, e.detail, e.retryAfterSeconds);
    if (e instanceof InkboxConnectionError) console.log(e.code);
  }
  const ok: boolean = verifyWebhook({ payload: "x", headers: {}, secret: "whsec_x" });
  console.log(ok, generateTotp({ secret: "JBSWY3DPEHPK3PXP" }).code, parseTotpUri("otpauth://totp/x?secret=AA").secret);
  const inbox = await new AgentPost({ apiKey: "ap_sk_x" }).inboxes.create({ username: "deploy-alerts", display_name: "Deployment Alerts" });
  console.log(inbox.email);
  for await (const m of inkbox.messages.list("a@b.c", { pageSize: 10 })) console.log(m.id);
  console.log((await inkbox.texts.list(phone.id, { limit: 20 })).map((t) => t.text));
  const info = await inkbox.vault.info();
  console.log(info?.secretCount);
}
void main();
`;

const BAD = `
import { Inkbox } from "@inkbox-core/sdk";
async function main(): Promise<void> {
  const inkbox = new Inkbox({ apiKey: "k" });
  const id = await inkbox.createIdentity("x");
  const n: number = id.agentHandle;
  console.log(n);
}
void main();
`;

function check(source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inkbox-tsc-"));
  try {
    fs.mkdirSync(path.join(dir, "node_modules", "@inkbox-core"), { recursive: true });
    fs.symlinkSync(PKG, path.join(dir, "node_modules", "@inkbox-core", "sdk"), "dir");
    fs.writeFileSync(path.join(dir, "main.ts"), source);
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", types: [], lib: ["es2022", "dom"] },
      files: ["main.ts"],
    }));
    return spawnSync(process.execPath, [TSC, "-p", dir], { encoding: "utf8" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("the official README's code type-checks against our declarations", { skip: !fs.existsSync(TSC) && "tsc not installed (scripts/node.sh installs it)" }, () => {
  const r = check(GOOD);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("a type error in user code is reported", { skip: !fs.existsSync(TSC) && "tsc not installed" }, () => {
  const r = check(BAD);
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /TS2322/);
});
