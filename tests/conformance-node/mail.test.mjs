// Seed 001 mail flows (identity helpers, org-level messages, threads, mailboxes,
// domains) through the official @inkbox/sdk 0.5.14.

import { test } from "node:test";
import assert from "node:assert/strict";
import { InkboxAPIError, MessageDirection, SendingDomainStatus } from "@inkbox/sdk";
import { handle, useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const inkbox = () => env.emu.client();

async function collect(gen) {
  const out = [];
  for await (const x of gen) out.push(x);
  return out;
}

async function pair() {
  const client = inkbox();
  return [await client.createIdentity(handle("sender")), await client.createIdentity(handle("receiver"))];
}

test("quick start: send to an outside address lands in the outbox", async () => {
  const identity = await inkbox().createIdentity(handle("support-bot"), { displayName: "Support Bot" });
  const sent = await identity.sendEmail({
    to: ["customer@example.com"],
    subject: "Your order has shipped",
    bodyText: "Tracking number: 1Z999AA10123456784",
  });
  assert.equal(sent.direction, MessageDirection.OUTBOUND);
  assert.equal(sent.fromAddress, identity.emailAddress);
  assert.deepEqual(sent.toAddresses, ["customer@example.com"]);
  assert.ok(sent.createdAt instanceof Date);

  const entries = (await env.emu.outbox()).filter((e) => e.id === sent.id);
  assert.equal(entries.length, 1);
  assert.equal(entries[0].body_text, "Tracking number: 1Z999AA10123456784");
  assert.ok(entries[0].outside_recipients.includes("customer@example.com"));

  const subjects = [];
  for await (const message of identity.iterEmails()) subjects.push(message.subject); // Read inbox
  assert.ok(subjects.includes("Your order has shipped"));
});

test("send between identities, read, threaded reply, markEmailsRead", async () => {
  const [alice, bob] = await pair();
  const sent = await alice.sendEmail({
    to: [bob.emailAddress],
    subject: "Hello from Inkbox",
    bodyText: "Hi there!",
    bodyHtml: "<p>Hi there!</p>",
    cc: ["manager@example.com"],
    bcc: ["archive@example.com"],
  });
  assert.ok(sent.threadId);

  const inbound = await collect(bob.iterEmails({ direction: "inbound" }));
  assert.equal(inbound.length, 1);
  const msg = inbound[0];
  assert.equal(msg.subject, "Hello from Inkbox");
  assert.equal(msg.fromAddress, alice.emailAddress);
  assert.equal(msg.isRead, false);
  assert.equal(msg.messageId, sent.messageId);
  assert.deepEqual((await collect(bob.iterUnreadEmails())).map((m) => m.id), [msg.id]);

  const detail = await bob.getMessage(msg.id);
  assert.equal(detail.bodyText, "Hi there!");
  assert.equal(detail.bodyHtml, "<p>Hi there!</p>");
  assert.deepEqual(detail.ccAddresses, ["manager@example.com"]);
  assert.ok(!detail.bccAddresses?.length); // Bcc is not delivered to recipients

  // README: inReplyToMessageId: sent.id (a string in the TS SDK).
  const reply = await bob.sendEmail({
    to: [alice.emailAddress],
    subject: `Re: ${msg.subject}`,
    bodyText: "Following up!",
    inReplyToMessageId: msg.id,
  });
  assert.equal(reply.threadId, msg.threadId);
  const thread = await bob.getThread(msg.threadId);
  assert.deepEqual(thread.messages.map((m) => m.subject), ["Hello from Inkbox", "Re: Hello from Inkbox"]);
  assert.equal(thread.messageCount, 2);

  // The reply threads into the sender's thread too (by Message-ID).
  const aliceInbound = await collect(alice.iterEmails({ direction: "inbound" }));
  assert.equal(aliceInbound.length, 1);
  assert.equal(aliceInbound[0].threadId, sent.threadId);

  // README: collect the unread ids, then markEmailsRead.
  const unread = [];
  for await (const m of bob.iterUnreadEmails()) unread.push(m.id);
  await bob.markEmailsRead(unread);
  assert.deepEqual(await collect(bob.iterUnreadEmails()), []);
  await bob.markEmailsUnread([msg.id]);
  assert.deepEqual((await collect(bob.iterUnreadEmails())).map((m) => m.id), [msg.id]);
});

test("attachments and getAttachment (raw JSON)", async () => {
  const [alice, bob] = await pair();
  const content = Buffer.from("%PDF-1.4 fake report");
  const sent = await alice.sendEmail({
    to: [bob.emailAddress],
    subject: "See attached",
    bodyText: "Please find the file attached.",
    attachments: [{ filename: "report.pdf", contentType: "application/pdf", contentBase64: content.toString("base64") }],
  });
  assert.equal(sent.hasAttachments, true);
  const [received] = await collect(bob.iterEmails());
  const detail = await bob.getMessage(received.id);
  assert.equal(detail.attachmentMetadata.length, 1);
  assert.equal(detail.attachmentMetadata[0].filename, "report.pdf");

  const attachment = await inkbox().messages.getAttachment(bob.emailAddress, received.id, "report.pdf");
  // The declared type says expiresIn; the method returns the raw JSON (expires_in).
  assert.equal(attachment.filename, "report.pdf");
  assert.ok(attachment.expires_in > 0);
  assert.equal(attachment.expiresIn, undefined);
  const bytes = Buffer.from(await (await fetch(attachment.url)).arrayBuffer());
  assert.deepEqual(bytes, content);
  await assert.rejects(inkbox().messages.getAttachment(bob.emailAddress, received.id, "missing.pdf"), {
    statusCode: 404,
  });
});

test("org-level messages: list, get, flags, delete", async () => {
  const [alice, bob] = await pair();
  const client = inkbox();
  await client.messages.send(alice.emailAddress, { to: [bob.emailAddress], subject: "Hello", bodyText: "Hi there!" });
  const msgs = await collect(client.messages.list(bob.emailAddress));
  assert.deepEqual(msgs.map((m) => m.subject), ["Hello"]);
  const id = msgs[0].id;
  assert.equal((await client.messages.get(bob.emailAddress, id)).bodyText, "Hi there!");

  assert.equal((await client.messages.updateFlags(bob.emailAddress, id, { isRead: true })).isRead, true);
  assert.equal((await client.messages.markUnread(bob.emailAddress, id)).isRead, false);
  assert.equal((await client.messages.markRead(bob.emailAddress, id)).isRead, true);
  assert.equal((await client.messages.star(bob.emailAddress, id)).isStarred, true);
  assert.equal((await client.messages.unstar(bob.emailAddress, id)).isStarred, false);

  await client.messages.delete(bob.emailAddress, id);
  assert.deepEqual(await collect(client.messages.list(bob.emailAddress)), []);
  await assert.rejects(client.messages.get(bob.emailAddress, id), { statusCode: 404 });
});

test("org-level threads: list (async generator), get, delete", async () => {
  const [alice, bob] = await pair();
  const client = inkbox();
  const first = await alice.sendEmail({ to: [bob.emailAddress], subject: "Topic", bodyText: "one" });
  await alice.sendEmail({ to: [bob.emailAddress], subject: "Re: Topic", bodyText: "two", inReplyToMessageId: first.id });
  await alice.sendEmail({ to: [bob.emailAddress], subject: "Other", bodyText: "three" });

  const threads = await collect(client.threads.list(bob.emailAddress));
  assert.deepEqual(threads.map((t) => t.subject).sort(), ["Other", "Topic"]);
  const topic = threads.find((t) => t.subject === "Topic");
  assert.equal(topic.messageCount, 2);
  const thread = await client.threads.get(bob.emailAddress, topic.id);
  assert.deepEqual(thread.messages.map((m) => m.snippet), ["one", "two"]); // oldest first

  await client.threads.delete(bob.emailAddress, topic.id);
  assert.deepEqual((await collect(client.threads.list(bob.emailAddress))).map((t) => t.subject), ["Other"]);
  await assert.rejects(client.threads.get(bob.emailAddress, topic.id), { statusCode: 404 });
});

test("iterEmails follows every cursor page", async () => {
  const [alice, bob] = await pair();
  for (let i = 0; i < 7; i++) {
    await alice.sendEmail({ to: [bob.emailAddress], subject: `n${i}`, bodyText: String(i) });
  }
  const got = (await collect(bob.iterEmails({ pageSize: 3 }))).map((m) => m.subject);
  assert.deepEqual(got, ["n6", "n5", "n4", "n3", "n2", "n1", "n0"]); // newest first, no loss or duplicate
});

test("org-level mailboxes and search", async () => {
  const [alice, bob] = await pair();
  const client = inkbox();
  await alice.sendEmail({ to: [bob.emailAddress], subject: "Your invoice", bodyText: "invoice #42 attached" });
  await alice.sendEmail({ to: [bob.emailAddress], subject: "Lunch?", bodyText: "tacos" });

  const mailboxes = await client.mailboxes.list();
  assert.ok(mailboxes.map((m) => m.emailAddress).includes(bob.emailAddress));
  const mb = await client.mailboxes.get(bob.emailAddress);
  assert.equal(mb.emailAddress, bob.emailAddress);
  assert.equal(mb.sendingDomain, "inkboxmail.com");
  assert.equal(mb.agentIdentityId, bob.id);

  // (deprecated) inkbox.mailboxes.update(mb.emailAddress, { filterMode: "whitelist" })
  const updated = await client.mailboxes.update(mb.emailAddress, { filterMode: "whitelist" });
  assert.equal(updated.filterMode, "whitelist");
  await client.mailboxes.update(mb.emailAddress, { filterMode: "blacklist" });

  const results = await client.mailboxes.search(mb.emailAddress, { q: "invoice", limit: 20 });
  assert.deepEqual(results.map((m) => m.subject), ["Your invoice"]);
});

test("domains", async () => {
  const client = inkbox();
  assert.deepEqual(await client.domains.list({ status: SendingDomainStatus.VERIFIED }), []);
  assert.equal(await client.domains.setDefault("inkboxmail.com"), null); // -> null
  await assert.rejects(client.domains.setDefault("mail.acme.com"), { statusCode: 404 });
});

test("a scoped key reaches only its own mailbox", async () => {
  const [alice, bob] = await pair();
  const client = inkbox();
  const key = await client.apiKeys.create({ label: "alice", scopedIdentityId: alice.id });
  const scoped = env.emu.client(key.apiKey);
  const me = await scoped.getIdentity(alice.agentHandle);
  await me.sendEmail({ to: [bob.emailAddress], subject: "scoped", bodyText: "hi" });
  assert.deepEqual((await collect(me.iterEmails())).map((m) => m.subject), ["scoped"]);
  await assert.rejects(collect(scoped.messages.list(bob.emailAddress)), (err) => {
    assert.ok(err instanceof InkboxAPIError);
    assert.equal(err.statusCode, 404);
    return true;
  });
});
