// README "Quick start": an identity with a mailbox and a number, a send, a call,
// the inbox, the calls, the credentials.
import { Inkbox } from "@inkbox-core/sdk";

const inkbox = await new Inkbox({
  apiKey: process.env.INKBOX_API_KEY,
  vaultKey: process.env.INKBOX_VAULT_KEY,
}).ready();

// Create an agent identity with a linked mailbox
const identity = await inkbox.createIdentity("support-bot", { displayName: "Support Bot" });
const phone = await identity.provisionPhoneNumber(); // provisions a local number
console.log(identity.emailAddress, phone.number);

// Send email directly from the identity
await identity.sendEmail({
  to: ["customer@example.com"],
  subject: "Your order has shipped",
  bodyText: "Tracking number: 1Z999AA10123456784",
});

// Place an outbound call
await identity.placeCall({
  toNumber: "+18005559999",
  clientWebsocketUrl: "wss://my-app.com/voice",
});

// Read inbox
for await (const message of identity.iterEmails()) {
  console.log(message.subject);
}

// List calls
const calls = await identity.listCalls();
console.log(calls.length, "call(s)");

// Access credentials (vault unlocked at construction)
if (inkbox.vault.unlocked) {
  const creds = await identity.getCredentials();
  for (const login of creds.listLogins()) {
    console.log(login.name);
  }
}
