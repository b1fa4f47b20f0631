// README "Verifying Webhook Signatures": a receiver on 127.0.0.1 (node:http in
// place of Express) that verifies a real delivery of the emulator.
import http from "node:http";
import { Inkbox, verifyWebhook } from "@inkbox-core/sdk";
import { control } from "./_emulator.mjs";

const inkbox = new Inkbox({ apiKey: process.env.INKBOX_API_KEY, baseUrl: process.env.INKBOX_BASE_URL });
const identity = await inkbox.createIdentity("hook-bot");

let resolveDelivery;
const delivered = new Promise((r) => (resolveDelivery = r));
let secret = null;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const valid = verifyWebhook({
      payload: Buffer.concat(chunks),
      headers: req.headers,
      secret,
    });
    res.statusCode = valid ? 200 : 403;
    res.end();
    resolveDelivery(valid);
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/hooks/mail`;

const created = await inkbox.webhooks.subscriptions.create({
  mailboxId: identity.mailbox.id,
  url,
  eventTypes: ["message.received"],
});
secret = created.signingKey ?? (await identity.createSigningKey()).signingKey;

if (process.env.INKBOX_EMULATOR) {
  await control("POST", "/_emulator/mail/inbound", { to: identity.emailAddress, from: "ada@example.com", subject: "hi", body_text: "hello" });
  await control("POST", "/_emulator/deliveries/flush", { settle: true });
  const valid = await Promise.race([delivered, new Promise((_, rej) => setTimeout(() => rej(new Error("no delivery")), 15000))]);
  console.log("verified:", valid);
  if (!valid) process.exitCode = 1;
}
server.close();
