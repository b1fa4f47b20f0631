// Types of the package: the generated surface (types/generated.d.ts, from
// surface/*.toml) and the hand-written classes and helpers.

import type {
  AgentIdentityScoped,
  AgentIdentitySummary,
  AgentSignupResponse,
  AgentSignupVerifyResponse,
  AgentSignupStatusResponse,
  AccessRule,
  ApiKeysResource,
  CallsResource,
  ContactsResource,
  DomainsResource,
  IMessageContactRulesResource,
  IMessagesResource,
  IdentityMailbox,
  InkboxAPIError,
  InkboxError,
  InkboxTransportError,
  MailContactRulesResource,
  MailboxesResource,
  MessagesResource,
  NotesResource,
  PhoneContactRulesResource,
  PhoneNumber,
  PhoneNumbersResource,
  SmsOptInsResource,
  TextsResource,
  ThreadsResource,
  TranscriptsResource,
  Tunnel,
  TunnelsResource,
  VaultInfo,
  VaultKey,
  VaultSecret,
  WebhookSubscriptionsResource,
  WhoamiApiKeyResponse,
  WhoamiJwtResponse,
  FilterMode,
  IdentityStatus,
} from "./types/generated";

export * from "./types/generated";

export declare const VERSION: string;

/** A fetch-compatible function (the global fetch, undici's, a test double). */
export type FetchLike = (url: string, init: { method: string; headers: Array<[string, string]>; body?: Uint8Array; signal: AbortSignal }) => Promise<{
  status: number;
  headers: { forEach(cb: (value: string, name: string) => void): void; get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface InkboxOptions {
  apiKey?: string;
  baseUrl?: string;
  timeoutMs?: number;
  vaultKey?: string;
  userAgentPrefix?: string;
  /** Retries after the first attempt (default 2; 0: the official SDK's behaviour). */
  maxRetries?: number;
  /** The transport (default: the global fetch). */
  fetch?: FetchLike;
}

export interface SignupOptions {
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  fetch?: FetchLike;
}

export interface CreateIdentityOptions {
  displayName?: string | null;
  description?: string | null;
  imessageEnabled?: boolean;
  emailLocalPart?: string;
  sendingDomain?: string | null;
  tunnel?: { tlsMode: string };
  phoneNumber?: { type?: string; state?: string; incomingCallAction?: string; clientWebsocketUrl?: string | null; incomingCallWebhookUrl?: string | null };
  vaultSecretIds?: string | string[];
}

export interface SigningKey {
  signingKey: string;
  createdAt: Date | null;
}

export declare class SigningKeysResource {
  createOrRotate(agentHandle?: string): Promise<SigningKey>;
  getStatus(agentHandle?: string): Promise<{ configured: boolean; createdAt: Date | null }>;
}

export declare class Inkbox {
  constructor(options?: InkboxOptions);
  ready(): Promise<Inkbox>;
  readonly mailboxes: MailboxesResource;
  readonly messages: MessagesResource & {
    send(emailAddress: string, options: { to: string[]; subject: string; bodyText?: string; bodyHtml?: string; cc?: string[]; bcc?: string[]; inReplyToMessageId?: string; attachments?: Array<{ filename: string; contentType: string; contentBase64: string; contentId?: string }> }): Promise<import("./types/generated").Message>;
    getAttachment(emailAddress: string, messageId: string, filename: string, options?: { redirect?: boolean }): Promise<{ url: string; filename: string; expires_in: number; expiresIn: number }>;
  };
  readonly threads: ThreadsResource;
  readonly domains: DomainsResource & { setDefault(domainName: string): Promise<string | null> };
  readonly phoneNumbers: PhoneNumbersResource;
  readonly calls: CallsResource;
  readonly transcripts: TranscriptsResource;
  readonly texts: TextsResource;
  readonly smsOptIns: SmsOptInsResource;
  readonly imessages: IMessagesResource & { uploadMedia(options: { content: Uint8Array | Blob; filename: string; contentType?: string }): Promise<unknown> };
  readonly imessageContactRules: IMessageContactRulesResource;
  readonly mailContactRules: MailContactRulesResource;
  readonly phoneContactRules: PhoneContactRulesResource;
  readonly tunnels: TunnelsResource;
  readonly apiKeys: ApiKeysResource;
  readonly contacts: ContactsResource;
  readonly notes: NotesResource;
  readonly vault: VaultResource;
  readonly signingKeys: SigningKeysResource;
  readonly webhooks: { readonly subscriptions: WebhookSubscriptionsResource };
  createIdentity(agentHandle: string, options?: CreateIdentityOptions): Promise<AgentIdentity>;
  getIdentity(agentHandle: string): Promise<AgentIdentity>;
  listIdentities(): Promise<AgentIdentitySummary[]>;
  whoami(): Promise<WhoamiApiKeyResponse | WhoamiJwtResponse>;
  createSigningKey(): Promise<SigningKey>;
  static signup(request: { humanEmail: string; noteToHuman: string; displayName?: string; agentHandle?: string; emailLocalPart?: string }, options?: SignupOptions): Promise<AgentSignupResponse>;
  static verifySignup(apiKey: string, request: { verificationCode: string }, options?: SignupOptions): Promise<AgentSignupVerifyResponse>;
  static resendSignupVerification(apiKey: string, options?: SignupOptions): Promise<AgentSignupVerifyResponse>;
  static getSignupStatus(apiKey: string, options?: SignupOptions): Promise<AgentSignupStatusResponse>;
}

export declare class AgentIdentity extends AgentIdentityScoped {
  readonly id: string;
  readonly agentHandle: string;
  readonly organizationId: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly status: IdentityStatus | null;
  readonly emailAddress: string | null;
  readonly imessageEnabled: boolean;
  readonly imessageFilterMode: FilterMode;
  readonly mailbox: IdentityMailbox | null;
  readonly phoneNumber: PhoneNumber | null;
  readonly tunnel: Tunnel | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  refresh(): Promise<AgentIdentity>;
  update(options: { newHandle?: string; displayName?: string | null; description?: string | null; imessageEnabled?: boolean; imessageFilterMode?: FilterMode }): Promise<void>;
  provisionPhoneNumber(options?: { type?: string; state?: string }): Promise<PhoneNumber>;
  releasePhoneNumber(): Promise<void>;
  iterUnreadEmails(options?: { pageSize?: number; direction?: string }): AsyncGenerator<import("./types/generated").Message>;
  markEmailsRead(messageIds: string[]): Promise<void>;
  markEmailsUnread(messageIds: string[]): Promise<void>;
  getCredentials(): Promise<Credentials>;
  createSecret(options: { name: string; payload: SecretPayload; description?: string }): Promise<VaultSecret>;
  getSecret(secretId: string): Promise<DecryptedVaultSecret>;
  deleteSecret(secretId: string): Promise<void>;
  setTotp(secretId: string, totp: TOTPConfig | string): Promise<DecryptedVaultSecret>;
  removeTotp(secretId: string): Promise<DecryptedVaultSecret>;
  getTotpCode(secretId: string): Promise<TOTPCode>;
  revokeCredentialAccess(secretId: string): Promise<void>;
}

export interface TOTPConfig {
  secret: string;
  algorithm?: "sha1" | "sha256" | "sha512";
  digits?: 6 | 8;
  period?: 30 | 60;
  issuer?: string | null;
  accountName?: string | null;
}

export interface TOTPCode {
  code: string;
  periodStart: number;
  periodEnd: number;
  secondsRemaining: number;
  /** The README's name for secondsRemaining. */
  expiresIn?: number;
}

export interface LoginPayload { password: string; username?: string; email?: string; url?: string; notes?: string; totp?: TOTPConfig }
export interface APIKeyPayload { apiKey: string; endpoint?: string; notes?: string }
export interface KeyPairPayload { accessKey: string; secretKey: string; endpoint?: string; notes?: string }
export interface SSHKeyPayload { privateKey: string; publicKey?: string; fingerprint?: string; passphrase?: string; notes?: string }
export interface OtherPayload { data: string; notes?: string }
export type SecretPayload = LoginPayload | APIKeyPayload | KeyPairPayload | SSHKeyPayload | OtherPayload;

export interface DecryptedVaultSecret {
  id: string;
  name: string;
  description: string | null;
  secretType: string;
  createdAt: Date | null;
  updatedAt: Date | null;
  payload: SecretPayload;
}

export declare class UnlockedVault {
  readonly organizationId: string;
  readonly secrets: DecryptedVaultSecret[];
  getSecret(secretId: string): Promise<DecryptedVaultSecret>;
  createSecret(options: { name: string; payload: SecretPayload; description?: string; identityId?: string }): Promise<VaultSecret>;
  updateSecret(secretId: string, options: { name?: string; description?: string | null; payload?: SecretPayload }): Promise<VaultSecret>;
  deleteSecret(secretId: string): Promise<void>;
  setTotp(secretId: string, totp: TOTPConfig | string): Promise<DecryptedVaultSecret>;
  removeTotp(secretId: string): Promise<DecryptedVaultSecret>;
  getTotpCode(secretId: string): Promise<TOTPCode>;
}

export declare class VaultResource {
  readonly unlocked: UnlockedVault | null;
  info(): Promise<VaultInfo | null>;
  initialize(vaultKey: string): Promise<{ vaultId: string; vaultKeyId: string; recoveryKeyCount: number; recoveryCodes: string[]; recoveryKeys: Array<{ id: string | null; recoveryCode: string }> }>;
  unlock(vaultKey: string, options?: { identityId?: string }): Promise<UnlockedVault>;
  updateKey(options: { newVaultKey: string; currentVaultKey?: string; recoveryCode?: string }): Promise<VaultKey>;
  listKeys(options?: { keyType?: string }): Promise<VaultKey[]>;
  deleteKey(authHash: string): Promise<void>;
  listSecrets(options?: { secretType?: string }): Promise<VaultSecret[]>;
  deleteSecret(secretId: string): Promise<void>;
  listAccessRules(secretId: string): Promise<AccessRule[]>;
  grantAccess(secretId: string, identityId: string): Promise<AccessRule>;
  revokeAccess(secretId: string, identityId: string): Promise<void>;
}

export declare class Credentials {
  readonly length: number;
  list(): DecryptedVaultSecret[];
  listLogins(): DecryptedVaultSecret[];
  listApiKeys(): DecryptedVaultSecret[];
  listKeyPairs(): DecryptedVaultSecret[];
  listSshKeys(): DecryptedVaultSecret[];
  get(secretId: string): DecryptedVaultSecret;
  getLogin(secretId: string): LoginPayload;
  getApiKey(secretId: string): APIKeyPayload;
  getKeyPair(secretId: string): KeyPairPayload;
  getSshKey(secretId: string): SSHKeyPayload;
  getTotpCode(secretId: string): TOTPCode;
}

export type WebhookHeaders = Record<string, string | string[] | undefined> | { forEach(cb: (value: string, name: string) => void): void; get(name: string): string | null };

export interface VerifyWebhookOptions {
  payload: Uint8Array | string;
  headers: WebhookHeaders;
  secret?: string;
  /** Several secrets (e.g. during a rotation): any one verifies. */
  secrets?: string[];
  /** Seconds a timestamp may be off (default 300); null: no freshness check. */
  toleranceSeconds?: number | null;
  /** The clock (seconds or a Date; default now). */
  now?: number | Date;
  /** Decide as the official SDK does (no freshness check). */
  compat?: boolean;
}

export declare const DEFAULT_TOLERANCE_SECONDS: number;
export declare function verifyWebhook(options: VerifyWebhookOptions): boolean;
export declare function verifyWebhookReason(options: VerifyWebhookOptions): string | null;
export declare function signWebhook(options: { payload: Uint8Array | string; secret: string; requestId: string; timestamp?: number | string }): Record<string, string>;
export declare function generateTotp(config: TOTPConfig, now?: number | Date): TOTPCode;
export declare function verifyTotp(config: TOTPConfig, code: string, options?: { now?: number | Date; window?: number }): boolean;
export declare function parseTotpUri(uri: string): TOTPConfig;
export declare function validateAgentHandle(handle: string): void;
export declare function normalizeAgentHandle(handle: string): string;
export declare function validateTunnelName(name: string): void;

export declare class InkboxConnectionError extends InkboxTransportError {
  constructor(message: string, options?: Record<string, unknown>);
}
export declare class InkboxTimeoutError extends InkboxConnectionError {}
export declare class InkboxUnsupportedOperationError extends InkboxError {
  readonly method: string;
  readonly operation: string;
  constructor(method: string, operation: string);
}

// ---- the vault's key helpers (as the official SDK's vault/crypto)

export declare const TOTPAlgorithm: { readonly SHA1: "sha1"; readonly SHA256: "sha256"; readonly SHA512: "sha512" };
export type TOTPAlgorithm = (typeof TOTPAlgorithm)[keyof typeof TOTPAlgorithm];
export declare const VaultKeyType: { readonly PRIMARY: "primary"; readonly RECOVERY: "recovery" };
export type VaultKeyType = (typeof VaultKeyType)[keyof typeof VaultKeyType];
export declare const VaultSecretType: {
  readonly API_KEY: "api_key"; readonly KEY_PAIR: "key_pair"; readonly LOGIN: "login"; readonly SSH_KEY: "ssh_key"; readonly OTHER: "other";
};
export type VaultSecretType = (typeof VaultSecretType)[keyof typeof VaultSecretType];

/** What registers a vault key (`POST /vault/initialize`, `POST /vault/keys`). */
export interface VaultKeyMaterial {
  id: string;
  wrappedOrgEncryptionKey: string;
  authHash: string;
  keyType: VaultKeyType;
}
/** 32 random bytes from the OS CSPRNG. */
export declare function generateOrgEncryptionKey(): Uint8Array;
/** Checks the vault key against the rules (`InkboxVaultKeyError`), then derives (Argon2id, off the main thread) and wraps. */
export declare function generateVaultKeyMaterial(vaultKey: string, organizationId: string, orgEncryptionKey: Uint8Array, options?: { keyType?: VaultKeyType }): Promise<VaultKeyMaterial>;
/** A fresh recovery code (show it once) and its material. */
export declare function generateRecoveryCode(organizationId: string, orgEncryptionKey: Uint8Array): Promise<[string, VaultKeyMaterial]>;
export declare function vaultKeyMaterialToWire(m: VaultKeyMaterial): Record<string, string>;

// ---- official exports of the families inkbox-core does not have yet (js/pending.cjs):
// present so that imports and `instanceof` work; the methods reject with
// InkboxUnsupportedOperationError naming the operation.

export declare const CallMode: { readonly CLIENT_WEBSOCKET: "client_websocket"; readonly HOSTED_AGENT: "hosted_agent" };
export declare const CallOrigin: {
  readonly DEDICATED_NUMBER: "dedicated_number"; readonly SHARED_IMESSAGE_NUMBER: "shared_imessage_number"; readonly DEDICATED_IMESSAGE_NUMBER: "dedicated_imessage_number";
};
export declare const HostedAgentAuthorityMode: { readonly CONTACT_SCOPED: "contact_scoped"; readonly YOLO: "yolo" };
export declare const HostedAgentToolInvocationStatus: { readonly STARTED: "started"; readonly SUCCEEDED: "succeeded"; readonly FAILED: "failed" };
export declare const IMessageGroupCreationStatus: { readonly CREATING: "creating"; readonly NOT_CREATED: "not_created"; readonly READY: "ready" };
export declare const IMessageNumberStatus: { readonly ACTIVE: "active"; readonly PAUSED: "paused" };
export declare const IMessageNumberType: { readonly DEDICATED_INBOUND: "dedicated_inbound"; readonly DEDICATED_OUTBOUND: "dedicated_outbound" };
export declare const MailImportFormat: { readonly AUTO: "auto"; readonly MBOX: "mbox"; readonly EML: "eml"; readonly ZIP: "zip" };
export declare const MailImportJobStatus: {
  readonly PENDING_UPLOAD: "pending_upload"; readonly QUEUED: "queued"; readonly RUNNING: "running";
  readonly COMPLETED: "completed"; readonly FAILED: "failed"; readonly CANCELLED: "cancelled";
};
export declare const VoicemailDetection: { readonly ENABLED: "enabled"; readonly DISABLED: "disabled" };
export declare class MailImportUploadError extends InkboxError {}
export declare class A2AProtocolError extends InkboxError {}
export declare class A2AInvitationParseError extends InkboxError {}
export declare class A2AClient {
  constructor(...args: unknown[]);
  fetchCard(...args: unknown[]): Promise<never>;
  send(...args: unknown[]): Promise<never>;
  getTask(...args: unknown[]): Promise<never>;
  listTasks(...args: unknown[]): Promise<never>;
  cancel(...args: unknown[]): Promise<never>;
  wait(...args: unknown[]): Promise<never>;
}
export declare class A2AInvitationsResource {
  constructor(...args: unknown[]);
  create(...args: unknown[]): Promise<never>;
  list(...args: unknown[]): Promise<never>;
  get(...args: unknown[]): Promise<never>;
  revoke(...args: unknown[]): Promise<never>;
  accept(...args: unknown[]): Promise<never>;
}
export declare function extractA2AInvitationToken(text: string): never;
