// README "Org-level Mailboxes": list, get, search; removal through the identity.
import { Inkbox, InkboxAPIError } from "@inkbox-core/sdk";
import { inboundMail } from "./_emulator.mjs";

const inkbox = new Inkbox({ apiKey: process.env.INKBOX_API_KEY, baseUrl: process.env.INKBOX_BASE_URL });
const supportAgent0 = await inkbox.createIdentity("support-agent");
await inboundMail(supportAgent0.emailAddress, "billing@example.com", "Your invoice", "Invoice #42 is attached.");

// List all mailboxes in the organisation
const mailboxes = await inkbox.mailboxes.list();
console.log(mailboxes.length, "mailbox(es)");

// Get a specific mailbox
const mb = await inkbox.mailboxes.get(supportAgent0.emailAddress);
console.log(mb.emailAddress);
console.log(mb.sendingDomain);  // bare domain the mailbox sends from
console.log(mb.agentIdentityId); // non-null for live customer mailboxes (1:1 invariant)

// Filter mode now lives on the agent identity (identity.update({ mailFilterMode })),
// a field of the newer wire the emulator and core do not have yet; the service refuses
// it there, and the deprecated mailbox form still works:
const supportAgent = await inkbox.getIdentity("support-agent");
try {
  await supportAgent.update({ mailFilterMode: "whitelist" });
} catch (err) {
  if (!(err instanceof InkboxAPIError) && err.name !== "InkboxValidationError") throw err;
  console.log("mailFilterMode refused:", err.name);
}
await inkbox.mailboxes.update(mb.emailAddress, { filterMode: "whitelist" });

// Full-text search across messages in a mailbox
const results = await inkbox.mailboxes.search(mb.emailAddress, { q: "invoice", limit: 20 });
for (const msg of results) {
  console.log(msg.subject, msg.fromAddress);
}

// To remove a mailbox, delete its owning identity
await (await inkbox.getIdentity("support-agent")).delete();
