// README "Text Messages (SMS/MMS)": send, list, read, conversations, search.
import { Inkbox } from "@inkbox-core/sdk";
import { smsReadyAtOnce, inboundText } from "./_emulator.mjs";

const inkbox = new Inkbox({ apiKey: process.env.INKBOX_API_KEY, baseUrl: process.env.INKBOX_BASE_URL });
await smsReadyAtOnce(); // a real number takes 10-15 minutes to become SMS-ready
const identity = await inkbox.createIdentity("text-bot");
const phone = await identity.provisionPhoneNumber();
await inboundText(phone.number, "+15551234567", "START"); // the recipient opts in

const sent = await identity.sendText({
  to: "+15551234567",
  text: "Hello from Inkbox",
});
console.log(sent.id, sent.deliveryStatus);   // "queued"

// List text messages
const texts = await identity.listTexts({ limit: 20 });
for (const t of texts) {
  console.log(t.remotePhoneNumber, t.text, t.isRead);
}

// Filter to unread only
const unread = await identity.listTexts({ isRead: false });
console.log(unread.length, "unread");

// Get a single text
const text = await identity.getText(texts[0].id);
console.log(text.type);  // "sms" or "mms"

// List one-to-one conversation summaries
const convos = await identity.listTextConversations({ limit: 20 });
for (const c of convos) {
  console.log(c.id, c.latestText);
}

// Get messages in a specific conversation by remote number
const msgs = await identity.getTextConversation("+15551234567", { limit: 50 });
console.log(msgs.length, "in the conversation");

// Mark as read
await identity.markTextRead(texts[0].id);
await identity.markTextConversationRead("+15551234567");

// Org-level: search and delete
const results = await inkbox.texts.search(phone.id, { q: "Hello", limit: 20 });
console.log(results.length, "hit(s)");
await inkbox.texts.update(phone.id, texts[0].id, { status: "deleted" });
