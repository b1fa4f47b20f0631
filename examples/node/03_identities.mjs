// README "Identities": create, read, refresh, list, update, release, delete.
import { Inkbox, InkboxAPIError } from "@inkbox-core/sdk";
import { pending } from "./_emulator.mjs";

const inkbox = new Inkbox({ apiKey: process.env.INKBOX_API_KEY, baseUrl: process.env.INKBOX_BASE_URL });

const identity = await inkbox.createIdentity("sales-bot", {
  displayName: "Sales Bot",
  description: "Sales-outreach agent",
});
const phone    = await identity.provisionPhoneNumber(); // provisions a local number

console.log(identity.emailAddress);            // sales-bot@inkboxmail.com
console.log(identity.tunnel?.publicHost);      // sales-bot.inkboxwire.com
console.log(phone.number);

// Pin the identity's mailbox to a verified custom sending domain: a fresh org
// has none, so the server refuses it.
try {
  await inkbox.createIdentity("sales-bot-2", { sendingDomain: "mail.acme.com" });
} catch (err) {
  if (!(err instanceof InkboxAPIError)) throw err;
  console.log(`custom domain refused (${err.statusCode})`);
}

// Provision a passthrough tunnel (tls_mode is fixed at create time)
await inkbox.createIdentity("sales-bot-pt", { tunnel: { tlsMode: "passthrough" } });

// Get an existing identity (returned with current channel state)
const identity2 = await inkbox.getIdentity("sales-bot");
await identity2.refresh();  // re-fetch channels from API

const allIdentities = await inkbox.listIdentities();
console.log(allIdentities.length, "identities");

// Agent-scoped credentials discover peers through the A2A directory.
await inkbox.a2a.organizationDirectory().catch(pending);

// Update identity metadata
await identity.update({ displayName: "Sales Bot v2" });
console.log(identity.displayName);

await identity.releasePhoneNumber();
await identity.delete();
