// Seed 001 "Agent Signup" through the static methods of the official
// @inkbox/sdk 0.5.14 (no client instance); the verification code is read from
// the emulator's outbox.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Inkbox, InkboxAPIError } from "@inkbox/sdk";
import { useEmulator } from "./_emulator.mjs";

const env = useEmulator();
const suffix = () => randomBytes(3).toString("hex");

/** The latest 6-digit code mailed to `humanEmail`. */
async function codeFor(humanEmail) {
  const mails = (await env.emu.outbox()).filter((m) =>
    [...(m.to ?? []), ...(m.outside_recipients ?? [])].includes(humanEmail),
  );
  assert.ok(mails.length > 0, `no verification mail to ${humanEmail}`);
  const last = mails[mails.length - 1];
  const codes = `${last.body_text ?? ""} ${last.subject ?? ""}`.match(/\b\d{6}\b/g);
  assert.ok(codes, "no 6-digit code in the mail");
  return codes[codes.length - 1];
}

test("signup, status, verify, then the key works", async () => {
  const opts = { baseUrl: env.emu.url };
  const human = `john-${suffix()}@example.com`;
  const name = `sales-agent-${suffix()}`;
  // Sign up (public — no API key needed)
  const result = await Inkbox.signup(
    {
      humanEmail: human,
      noteToHuman: "Hey John, this is your sales bot signing up!",
      displayName: "Sales Agent", // optional
      agentHandle: name, // optional
    },
    opts,
  );
  const apiKey = result.apiKey; // save — shown only once
  assert.match(apiKey, /^ApiKey_/);
  assert.ok(result.agentHandle.startsWith(name));
  assert.equal(result.emailAddress, `${result.agentHandle}@inkboxmail.com`);
  assert.equal(result.claimStatus, "agent_unclaimed");
  assert.equal(result.humanEmail, human);
  assert.ok(result.organizationId);

  let status = await Inkbox.getSignupStatus(apiKey, opts);
  assert.equal(status.claimStatus, "agent_unclaimed");
  assert.equal(status.restrictions.maxSendsPerDay, 10);
  assert.deepEqual(status.restrictions.allowedRecipients, [human]);

  const code = await codeFor(human);
  const wrong = code === "000000" ? "111111" : "000000";
  await assert.rejects(Inkbox.verifySignup(apiKey, { verificationCode: wrong }, opts), (err) => {
    assert.ok(err instanceof InkboxAPIError);
    assert.equal(err.statusCode, 401);
    return true;
  });
  const verified = await Inkbox.verifySignup(apiKey, { verificationCode: code }, opts);
  assert.equal(verified.claimStatus, "agent_claimed");
  assert.ok(verified.organizationId);

  status = await Inkbox.getSignupStatus(apiKey, opts);
  assert.equal(status.claimStatus, "agent_claimed");
  assert.equal(status.restrictions.maxSendsPerDay, 500);

  const agent = env.emu.client(apiKey);
  const me = await agent.whoami();
  assert.equal(me.authType, "api_key");
  assert.equal(me.organizationId, verified.organizationId);
});

test("resend cooldown; an unclaimed agent may mail only its human", async () => {
  const opts = { baseUrl: env.emu.url };
  const human = `jane-${suffix()}@example.com`;
  const result = await Inkbox.signup({ humanEmail: human, noteToHuman: "hello" }, opts);
  // Resend verification email (5-minute cooldown)
  await assert.rejects(Inkbox.resendSignupVerification(result.apiKey, opts), { statusCode: 429 });
  await env.emu.advanceClock(301);
  const resent = await Inkbox.resendSignupVerification(result.apiKey, opts);
  assert.equal(resent.claimStatus, "agent_unclaimed");

  const agent = env.emu.client(result.apiKey);
  const me = await agent.getIdentity(result.agentHandle);
  await me.sendEmail({ to: [human], subject: "hi", bodyText: "it's me" });
  await assert.rejects(me.sendEmail({ to: ["stranger@example.com"], subject: "hi", bodyText: "spam" }), {
    statusCode: 403,
  });
});

test("the README call with a dotted emailLocalPart is refused; validation", async () => {
  // README: agentHandle "sales-agent" with emailLocalPart "sales.agent". On the
  // platform domain the local part must equal the handle, so that call is a 422.
  const opts = { baseUrl: env.emu.url };
  const name = `sales-agent-${suffix()}`;
  await assert.rejects(
    Inkbox.signup(
      {
        humanEmail: "john@example.com",
        noteToHuman: "Hey John, this is your sales bot signing up!",
        displayName: "Sales Agent",
        agentHandle: name,
        emailLocalPart: "sales.agent",
        harness: "claude-code",
      },
      opts,
    ),
    { statusCode: 422 },
  );
  const ok = await Inkbox.signup(
    { humanEmail: "john@example.com", noteToHuman: "hi", agentHandle: name, emailLocalPart: name, harness: "claude-code" },
    opts,
  );
  assert.equal(ok.emailAddress, `${ok.agentHandle}@inkboxmail.com`);
  await assert.rejects(Inkbox.signup({ humanEmail: "not-an-email", noteToHuman: "x" }, opts), { statusCode: 422 });
  await assert.rejects(Inkbox.getSignupStatus("ApiKey_bogus", opts), { statusCode: 401 });
});
