// README "Whoami" and "Signing Keys".
import { Inkbox } from "@inkbox-core/sdk";

const inkbox = new Inkbox({ apiKey: process.env.INKBOX_API_KEY, baseUrl: process.env.INKBOX_BASE_URL });

const info = await inkbox.whoami();
console.log(info.authType);        // "api_key" or "jwt"
console.log(info.organizationId);
if (info.authType === "api_key") {
  console.log(info.keyId, info.label);
} else {
  console.log(info.email, info.orgRole);
}

const identity = await inkbox.createIdentity("support-agent");

// Create or rotate this identity's webhook signing key (plaintext returned once)
const key = await identity.createSigningKey();
console.log(key.signingKey.length > 0); // save this immediately

// Check whether a key is configured
const status = await identity.getSigningKeyStatus();
console.log(status.configured, status.createdAt);
