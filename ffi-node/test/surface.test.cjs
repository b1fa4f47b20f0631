"use strict";
// The surface against the official TypeScript SDK 0.5.14 (../shared/peers):
// every public class method of the official declarations exists on ours
// (implemented, or pending: a typed rejection naming the operation), and
// no pending entry shadows an implemented method.

const test = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const sdk = require("..");
const gen = require("../js/gen/resources.cjs");
const { PENDING } = require("../js/pending.cjs");

const PEER = path.resolve(__dirname, "..", "..", "..", "shared", "peers", "inkbox-sdk-0.5.14.tgz");
// Internal classes of the official package (its HTTP layer and tunnel runtime).
const INTERNAL = /^(CookieJar|HttpTransport|UpstreamUrlDispatch|CallableDispatch|InProcH1ParserPlaintext|H2TranscoderPlaintext|TunnelListenerImpl|TunnelRuntime|TlsTerminator|WsServerDraining|ByteChannelWebSocketSink|WsFrameDecoder|WsEnvelopeDecoder)$/;

function officialClasses() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inkbox-peer-"));
  try {
    execFileSync("tar", ["xzf", PEER, "-C", dir]);
    const classes = {};
    const walk = (d) => {
      for (const f of fs.readdirSync(d)) {
        const p = path.join(d, f);
        if (fs.statSync(p).isDirectory()) walk(p);
        else if (f.endsWith(".d.ts")) {
          let cur = null;
          for (const line of fs.readFileSync(p, "utf8").split("\n")) {
            let m = line.match(/^export declare class (\w+)/);
            if (m) {
              cur = m[1];
              classes[cur] = classes[cur] || new Set();
              continue;
            }
            m = line.match(/^ {4}(?:static )?(\w+)\(/);
            if (cur && m && m[1] !== "constructor") classes[cur].add(m[1]);
          }
        }
      }
    };
    walk(path.join(dir, "package", "dist"));
    return classes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("every official method exists on ours", { skip: !fs.existsSync(PEER) && `no ${PEER}` }, () => {
  const inkbox = new sdk.Inkbox({ apiKey: "ApiKey_test", baseUrl: "http://127.0.0.1:1" });
  const instances = {
    Inkbox: inkbox,
    AgentIdentity: sdk.AgentIdentity.prototype,
    UnlockedVault: sdk.UnlockedVault.prototype,
    Credentials: sdk.Credentials.prototype,
    VaultResource: inkbox.vault,
    SigningKeysResource: inkbox.signingKeys,
    A2AResource: inkbox.a2a,
    A2AInvitationsResource: inkbox.a2aInvitations,
    IncomingCallActionResource: inkbox.incomingCallAction,
    HostedAgentConfigResource: inkbox.hostedAgent,
    MailIdentityContactRulesResource: inkbox.mailIdentityContactRules,
    PhoneIdentityContactRulesResource: inkbox.phoneIdentityContactRules,
    WebhookDeliveriesResource: inkbox.webhooks.deliveries,
    MailboxImportsResource: inkbox.mailboxes.imports,
    ContactFactsResource: inkbox.contacts.facts,
    ContactCorrespondenceResource: inkbox.contacts.correspondence,
  };
  const missing = [];
  let checked = 0;
  for (const [cls, methods] of Object.entries(officialClasses())) {
    if (INTERNAL.test(cls)) continue;
    const ours = instances[cls] || (gen[cls] && gen[cls].prototype);
    if (cls === "A2AClient") continue; // constructed by identity.a2aClient(), itself pending
    for (const m of methods) {
      checked++;
      const has = ours && (typeof ours[m] === "function" || m in ours || (cls === "Inkbox" && typeof sdk.Inkbox[m] === "function"));
      if (!has) missing.push(`${cls}.${m}`);
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(checked > 250, `${checked}`);
});

test("pending methods reject with a typed error naming the operation", async () => {
  const inkbox = new sdk.Inkbox({ apiKey: "ApiKey_test", baseUrl: "http://127.0.0.1:1" });
  await assert.rejects(inkbox.messages.replyAll("a@b.c", "id"), (e) => {
    assert.ok(e instanceof sdk.InkboxUnsupportedOperationError);
    assert.ok(e instanceof sdk.InkboxError);
    assert.equal(e.operation, "mail.messages.reply_all");
    assert.match(e.message, /MessagesResource\.replyAll/);
    return true;
  });
  await assert.rejects(inkbox.hostedAgent.getConfig(), sdk.InkboxUnsupportedOperationError);
  assert.throws(() => inkbox.a2a.iterTasks(), sdk.InkboxUnsupportedOperationError);
});

test("no pending entry shadows an implemented method", () => {
  for (const [cls, methods] of Object.entries(PENDING)) {
    const proto = gen[cls] && gen[cls].prototype;
    if (!proto) continue;
    for (const m of Object.keys(methods)) {
      const fn = proto[m];
      assert.equal(fn && fn.name, "unsupported", `${cls}.${m} is implemented: remove it from pending.cjs`);
    }
  }
});

/** The runtime (not type-only) exports of the official entry point, from its index.d.ts. */
function officialRuntimeExports() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inkbox-peer-"));
  try {
    execFileSync("tar", ["xzf", PEER, "-C", dir, "package/dist/index.d.ts"]);
    const text = fs.readFileSync(path.join(dir, "package", "dist", "index.d.ts"), "utf8");
    const names = [];
    for (const m of text.matchAll(/^export \{([^}]*)\} from/gm)) {
      for (const part of m[1].split(",")) {
        const name = part.trim();
        if (name && !name.startsWith("type ")) names.push(name.split(/\s+as\s+/).pop());
      }
    }
    return names;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("every official runtime export exists on ours, in CJS and ESM alike", { skip: !fs.existsSync(PEER) && `no ${PEER}` }, async () => {
  const names = officialRuntimeExports();
  assert.ok(names.length > 70, `only ${names.length} exports read`);
  const esm = await import("../index.mjs");
  const missing = names.filter((n) => !(n in sdk));
  assert.deepEqual(missing, []);
  for (const n of names) assert.equal(esm[n], sdk[n], n);
  // The pending ones are real: error classes of the family, enums frozen.
  assert.ok(new sdk.IdempotencyKeyReusedError(409, "reused") instanceof sdk.InkboxAPIError);
  assert.equal(new sdk.IdempotencyKeyReusedError(409, "reused").statusCode, 409);
  assert.ok(Object.isFrozen(sdk.CallMode) && sdk.CallMode.HOSTED_AGENT === "hosted_agent");
  assert.throws(() => sdk.extractA2AInvitationToken("x"), (e) => e instanceof sdk.InkboxUnsupportedOperationError);
  await assert.rejects(new sdk.A2AClient({}, "x").fetchCard(), (e) => e instanceof sdk.InkboxUnsupportedOperationError);
});
