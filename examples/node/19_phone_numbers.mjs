// README "Org-level Phone Numbers": list, get, provision, update, search, release.
import { Inkbox } from "@inkbox-core/sdk";

const inkbox = new Inkbox({ apiKey: process.env.INKBOX_API_KEY, baseUrl: process.env.INKBOX_BASE_URL });
await inkbox.createIdentity("sales-bot");
await inkbox.createIdentity("sales-bot-ny");

// Provision a new number
const num   = await inkbox.phoneNumbers.provision({ agentHandle: "sales-bot" }); // local by default
const inNy  = await inkbox.phoneNumbers.provision({ agentHandle: "sales-bot-ny", state: "NY" }); // one number per identity
console.log(num.number, inNy.number);

// List all phone numbers in the organisation
const numbers = await inkbox.phoneNumbers.list();
console.log(numbers.length, "number(s)");

// Get a specific phone number by ID
const number = await inkbox.phoneNumbers.get(num.id);
console.log(number.number);

// Update incoming call behaviour
await inkbox.phoneNumbers.update(num.id, {
  incomingCallAction: "webhook",
  incomingCallWebhookUrl: "https://example.com/calls",
});
await inkbox.phoneNumbers.update(num.id, {
  incomingCallAction: "auto_accept",
  clientWebsocketUrl: "wss://example.com/ws",
});

// Full-text search across transcripts
const hits = await inkbox.phoneNumbers.searchTranscripts(num.id, { q: "refund", party: "remote" });
for (const t of hits) {
  console.log(`[${t.party}] ${t.text}`);
}

// Release a number
await inkbox.phoneNumbers.release(num.id);
