// README "Agent Signup": sign up without an API key, verify with the code the
// human received, check the status. The code: INKBOX_SIGNUP_CODE, else (emulator)
// the emulator's outbox.
import { Inkbox, InkboxAPIError } from "@inkbox-core/sdk";
import { signupCode } from "./_emulator.mjs";

const baseUrl = process.env.INKBOX_BASE_URL;

// Sign up (public — no API key needed)
let result;
try {
  result = await Inkbox.signup({
    humanEmail: "john@example.com",
    noteToHuman: "Hey John, this is your sales bot signing up!",
    displayName: "Sales Agent",      // optional
    agentHandle: "sales-agent",      // optional
    emailLocalPart: "sales.agent",   // optional
  }, { baseUrl });
} catch (err) {
  // On the platform domain the mailbox local part must equal the handle: the
  // server refuses "sales.agent" next to "sales-agent". The same call without it:
  if (!(err instanceof InkboxAPIError)) throw err;
  console.log(`signup refused (${err.statusCode})`);
  result = await Inkbox.signup({
    humanEmail: "john@example.com",
    noteToHuman: "Hey John, this is your sales bot signing up!",
    displayName: "Sales Agent",
    agentHandle: "sales-agent",
  }, { baseUrl });
}
const apiKey = result.apiKey;          // save — shown only once
const email = result.emailAddress;     // e.g. "sales-agent-a1b2c3@inkboxmail.com"
const handle = result.agentHandle;     // e.g. "sales-agent-a1b2c3"
console.log(email, handle);

const code = process.env.INKBOX_SIGNUP_CODE || (await signupCode(handle));
if (!code) throw new Error("set INKBOX_SIGNUP_CODE to the 6-digit code the human received");
await Inkbox.verifySignup(apiKey, { verificationCode: code }, { baseUrl });

// Check status and restrictions
const status = await Inkbox.getSignupStatus(apiKey, { baseUrl });
console.log(status.claimStatus);                    // "agent_unclaimed" or "agent_claimed"
console.log(status.restrictions.maxSendsPerDay);
