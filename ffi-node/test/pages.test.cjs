"use strict";
// Pages read by V8 (runtime.cjs `checkedPage`, the generated checked
// converters `C`) against core's parser: whenever the checked path takes a
// page, its objects are exactly what core's parse gives; whenever core
// refuses a page, the checked path refuses it too (and core's typed error is
// what the caller sees).

const test = require("node:test");
const assert = require("node:assert/strict");
const { startEmulator } = require("./_emulator.cjs");
const sdk = require("..");
const { native } = require("../js/native.cjs");
const { fromWire } = require("../js/convert.cjs");
const { checkedPage, Runner } = require("../js/runtime.cjs");
const { C } = require("../js/gen/converters.cjs");

const HEADERS = ["content-type", "application/json"];

/** Core's reading of a page of `op`: `{items, hasMore, nextCursor}`, or its error. */
function corePage(op, item, body) {
  try {
    const page = JSON.parse(native.parseJson(op, 200, HEADERS, body));
    const items = Array.isArray(page) ? page : page.items;
    return { items: items.map((v) => fromWire(v, item)), hasMore: page.has_more ?? false, nextCursor: page.next_cursor ?? null };
  } catch (e) {
    return { error: e };
  }
}

/** The checked path agrees with core on `body`; which one decided. */
function agree(op, item, paging, body, label) {
  const mine = checkedPage(body, paging, C[item]);
  const core = corePage(op, item, body);
  if (mine === null) return "core";
  assert.ok(!core.error, `${label}: the checked path took a page core refuses (${core.error && core.error.message})`);
  assert.deepEqual(mine.items, core.items, label);
  assert.equal(mine.hasMore, core.hasMore, label);
  assert.equal(mine.nextCursor, core.nextCursor, label);
  return "checked";
}

const message = (i) => ({
  id: `0b6f7c1e-6a2d-4f3e-9c1b-${String(i).padStart(12, "0")}`,
  mailbox_id: "1b6f7c1e-6a2d-4f3e-9c1b-000000000001",
  thread_id: "2b6f7c1e-6a2d-4f3e-9c1b-000000000002",
  message_id: `<m${i}@example.com>`,
  from_address: "ada@example.com",
  to_addresses: ["bot@inkboxmail.com"],
  cc_addresses: null,
  subject: `Message ${i}`,
  snippet: "Hello",
  direction: "inbound",
  status: "received",
  is_read: false,
  is_starred: true,
  has_attachments: false,
  created_at: "2026-12-01T10:00:00Z",
});
const pageOf = (items, extra = {}) => Buffer.from(JSON.stringify({ items, next_cursor: "c2", has_more: true, ...extra }));

test("a well-formed page takes the checked path, with core's objects", () => {
  assert.equal(agree("mail.messages.list", "Message", "cursor", pageOf([message(1), message(2)]), "plain"), "checked");
  const rich = { ...message(3), cc_addresses: ["x@example.com"], import_job_id: "job-1", first_opened_at: "2026-12-02T11:12:13.456789+02:00", open_count: 4, unknown_field: [1, 2] };
  assert.equal(agree("mail.messages.list", "Message", "cursor", pageOf([rich]), "rich"), "checked");
  assert.equal(agree("mail.messages.list", "Message", "cursor", pageOf([], { has_more: false, next_cursor: null }), "empty"), "checked");
  const last = checkedPage(pageOf([message(1)], { has_more: false, next_cursor: null }), "cursor", C.Message);
  assert.equal(last.hasMore, false);
  assert.equal(last.nextCursor, null);
  assert.ok(last.items[0].createdAt instanceof Date);
  assert.equal(last.items[0].threadId, "2b6f7c1e-6a2d-4f3e-9c1b-000000000002");
  assert.equal(last.items[0].importJobId, null);
});

test("anything off the description goes to core, which decides", () => {
  const cases = {
    "a required field missing": (m) => delete m.from_address,
    "a required field null": (m) => (m.from_address = null),
    "a string as a number": (m) => (m.subject = 5),
    "a bool as a string": (m) => (m.is_read = "false"),
    "an int as a float": (m) => (m.open_count = 1.5),
    "a list of numbers": (m) => (m.to_addresses = [1]),
    "a list as a string": (m) => (m.to_addresses = "a@example.com"),
    "a timestamp with a space": (m) => (m.created_at = "2026-12-01 10:00:00Z"),
    "a timestamp with a lower-case z": (m) => (m.created_at = "2026-12-01T10:00:00z"),
    "a timestamp with no zone": (m) => (m.created_at = "2026-12-01T10:00:00"),
    "a 31st of February": (m) => (m.created_at = "2026-02-31T10:00:00Z"),
    "a 29th of February of a common year": (m) => (m.created_at = "2023-02-29T10:00:00Z"),
    "hour 24": (m) => (m.created_at = "2026-12-01T24:00:00Z"),
    "a leap second": (m) => (m.created_at = "2026-12-31T23:59:60Z"),
    "ten fraction digits": (m) => (m.created_at = "2026-12-01T10:00:00.1234567890Z"),
    "an offset of 25 hours": (m) => (m.created_at = "2026-12-01T10:00:00+25:00"),
    "a date as text": (m) => (m.created_at = "December 1, 2026"),
    "a timestamp as a number": (m) => (m.created_at = 1796119200),
    "an item that is not an object": () => "not an object",
  };
  let core = 0;
  for (const [label, mutate] of Object.entries(cases)) {
    const m = message(9);
    const out = mutate(m);
    const body = pageOf([message(1), out === "not an object" ? out : m]);
    const who = agree("mail.messages.list", "Message", "cursor", body, label);
    assert.equal(who, "core", `${label}: the checked path should leave this page to core`);
    core++;
  }
  // The page's own shape.
  for (const [label, body] of Object.entries({
    "has_more missing": Buffer.from(JSON.stringify({ items: [message(1)], next_cursor: null })),
    "items not a list": Buffer.from(JSON.stringify({ items: {}, next_cursor: null, has_more: false })),
    "a numeric cursor": Buffer.from(JSON.stringify({ items: [], next_cursor: 7, has_more: true })),
    "not JSON": Buffer.from("{items: [}"),
    "not UTF-8": Buffer.concat([Buffer.from('{"items": [], "next_cursor": "\xff'), Buffer.from([0xff]), Buffer.from('", "has_more": false}')]),
    "a bare list": Buffer.from(JSON.stringify([message(1)])),
  })) {
    assert.equal(checkedPage(body, "cursor", C.Message), null, label);
    agree("mail.messages.list", "Message", "cursor", body, label);
  }
  assert.ok(core > 15);
});

test("every page the emulator serves agrees with core, and the pager follows its cursors", async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.stop());
  const seen = [];
  const exchange = Runner.prototype.exchange;
  Runner.prototype.exchange = async function (req) {
    const r = await exchange.call(this, req);
    seen.push({ op: req.operation, r });
    return r;
  };
  const summaries = [];
  const feedSummary = native.Flow.prototype.feedSummary;
  native.Flow.prototype.feedSummary = function (...args) {
    summaries.push(args);
    return feedSummary.apply(this, args);
  };
  try {
    const inkbox = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url });
    const a = await inkbox.createIdentity("node-pages-a");
    const b = await inkbox.createIdentity("node-pages-b");
    for (let i = 0; i < 7; i++) await a.sendEmail({ to: [b.emailAddress], subject: `page ${i}`, bodyText: `body ${i}`, cc: i % 2 ? [a.emailAddress] : undefined });
    const got = [];
    for await (const m of inkbox.messages.list(b.emailAddress, { pageSize: 3 })) got.push(m);
    assert.equal(got.length, 7);
    assert.deepEqual(new Set(got.map((m) => m.subject)).size, 7);
    const threads = [];
    for await (const th of inkbox.threads.list(b.emailAddress, { pageSize: 2 })) threads.push(th);
    assert.ok(threads.length >= 1);
  } finally {
    Runner.prototype.exchange = exchange;
    native.Flow.prototype.feedSummary = feedSummary;
  }
  const pages = seen.filter((s) => s.op === "mail.messages.list" || s.op === "mail.threads.list");
  assert.ok(pages.length >= 4, `${pages.length} pages`);
  // Every page went through the checked path (the pager got its summary)...
  assert.equal(summaries.length, pages.length);
  // ... and each is exactly what core makes of it.
  for (const { op, r } of pages) {
    const item = op === "mail.messages.list" ? "Message" : "Thread";
    assert.equal(agree(op, item, "cursor", r.body, op), "checked");
  }
});

test("a page core refuses is core's typed error", async (t) => {
  const emu = await startEmulator();
  t.after(() => emu.stop());
  const body = JSON.stringify({ items: [{ id: 5 }], next_cursor: null, has_more: false });
  const fetch = async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } });
  const inkbox = new sdk.Inkbox({ apiKey: emu.adminKey, baseUrl: emu.url, fetch });
  await assert.rejects(
    (async () => {
      for await (const m of inkbox.messages.list("x@example.com")) void m;
    })(),
    (e) => e instanceof sdk.InkboxDecodeError || (e instanceof sdk.InkboxError && /decode/.test(e.code)),
  );
});
