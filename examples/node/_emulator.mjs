// Setup steps the README assumes happen outside the program (a human texting,
// the signup code in the human's mailbox, the clock moving on), done through
// the local emulator's control API (/_emulator/..., tests/emulator/README.md).
// Every helper does nothing and returns null unless INKBOX_EMULATOR is set.

const ACTIVE = Boolean(process.env.INKBOX_EMULATOR);
const BASE_URL = (process.env.INKBOX_BASE_URL || "https://inkbox.ai").replace(/\/+$/, "");

export async function control(method, path, body) {
  if (!ACTIVE) return null;
  const init = { method, headers: { "X-API-Key": process.env.INKBOX_API_KEY, Accept: "application/json" } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const r = await fetch(BASE_URL + path, init);
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Numbers send SMS at once (the emulator's readiness delay set to 0). */
export const smsReadyAtOnce = () => control("POST", "/_emulator/phone/config", { sms_ready_delay_secs: 0, inline_sms_ready_delay_secs: 0 });

/** A text from a human to one of the org's numbers. */
export const inboundText = (to, from, text) => control("POST", "/_emulator/texts/inbound", { to, from, text });

/** Mail from outside the org to an address of the org. */
export const inboundMail = (to, from, subject, bodyText) => control("POST", "/_emulator/mail/inbound", { to, from, subject, body_text: bodyText });

/** The 6-digit code of the latest verification email sent for a signup. */
export async function signupCode(agentHandle) {
  const outbox = await control("GET", "/_emulator/outbox");
  if (!outbox) return null;
  const entries = Array.isArray(outbox) ? outbox : outbox.messages || outbox.outbox || [];
  const codes = entries.filter((e) => e.kind === "signup_verification" && e.agent_handle === agentHandle).map((e) => e.code);
  return codes.length ? codes[codes.length - 1] : null;
}

/** Reports a README call whose operation inkbox-core does not have yet. */
export function pending(err) {
  if (err && err.name === "InkboxUnsupportedOperationError") {
    console.log(`(pending in inkbox-core: ${err.operation})`);
    return null;
  }
  throw err;
}
