// README "Credentials", "Vault Management", "Access control", "Identity Secret
// Management" and "TOTP": one vault, used the way each section shows.
import { Inkbox } from "@inkbox-core/sdk";

const inkbox = new Inkbox({ apiKey: process.env.INKBOX_API_KEY, baseUrl: process.env.INKBOX_BASE_URL });

// Initialize a new vault (creates primary key + recovery keys)
const result = await inkbox.vault.initialize("my-Vault-key-01!");
for (const key of result.recoveryKeys) {
  console.log(key.recoveryCode.slice(0, 4) + "…"); // save these immediately
}

// Get vault metadata (key counts, secret counts)
const info = await inkbox.vault.info();
console.log(info.secretCount, info.keyCount);

// Unlock the vault (once per session)
await inkbox.vault.unlock("my-Vault-key-01!");

const identity = await inkbox.createIdentity("my-agent");

// Create a secret and auto-grant this identity access
const secret = await identity.createSecret({
  name: "CRM Login",
  payload: { type: "login", username: "bot@crm.com", password: "s3cret" },
  description: "CRM service account",
});
await identity.createSecret({ name: "Search API", payload: { apiKey: "sk-example", endpoint: "https://api.example.com" } });

const creds = await identity.getCredentials();
for (const login of creds.listLogins()) {
  console.log(login.name, login.payload.username);
}
for (const key of creds.listApiKeys()) {
  console.log(key.name, key.payload.accessKey); // the README's name for the key's value
}
const login = creds.getLogin(secret.id);    // → LoginPayload
console.log(login.username);

// Add TOTP to a login secret (accepts otpauth:// URI or TOTPConfig)
await identity.setTotp(secret.id, "otpauth://totp/Example:user?secret=JBSWY3DPEHPK3PXP&issuer=Example");
const code = await identity.getTotpCode(secret.id);
console.log(code.code.length, code.expiresIn);
await identity.removeTotp(secret.id);

// Access control
const rules = await inkbox.vault.listAccessRules(secret.id);
for (const rule of rules) {
  console.log(rule.identityId);
}
const other = await inkbox.createIdentity("other-agent");
await inkbox.vault.grantAccess(secret.id, other.id);
await inkbox.vault.revokeAccess(secret.id, other.id);

// List vault keys and secrets
const keys = await inkbox.vault.listKeys();
const primaryKeys = await inkbox.vault.listKeys({ keyType: "PRIMARY" });
console.log(keys.length, primaryKeys.length);
const logins = await inkbox.vault.listSecrets({ secretType: "login" });
console.log(logins.length, "login(s)");

// Rotate the vault password
await inkbox.vault.updateKey({
  newVaultKey: "new-Vault-key-02!",
  currentVaultKey: "my-Vault-key-01!",
});
const unlocked = await inkbox.vault.unlock("new-Vault-key-02!");
const again = await unlocked.getSecret(secret.id);
console.log(again.name);

// Revoke this identity's access, then delete the secret
await identity.revokeCredentialAccess(secret.id);
await identity.deleteSecret(secret.id);
