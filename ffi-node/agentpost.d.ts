export interface Inbox {
  id: string;
  email: string;
  username: string | null;
  display_name: string | null;
  domain: string | null;
  client_id: string | null;
  send_paused: boolean;
  [key: string]: unknown;
}
export interface InboxPage { items: Inbox[]; next_cursor: string | null; has_more: boolean }
export declare class InboxesResource {
  create(options: { username: string; display_name?: string; displayName?: string; client_id?: string; clientId?: string }): Promise<Inbox>;
  list(options?: { limit?: number; cursor?: string }): Promise<InboxPage>;
  listAll(options?: { limit?: number }): AsyncGenerator<Inbox>;
  get(id: string): Promise<Inbox>;
  update(id: string, options: { display_name?: string; displayName?: string }): Promise<Inbox>;
  delete(id: string): Promise<void>;
}
export declare class AgentPost {
  constructor(options?: { apiKey?: string; baseUrl?: string; timeoutMs?: number; maxRetries?: number; fetch?: unknown });
  readonly inboxes: InboxesResource;
}
export declare const DEFAULT_BASE_URL: string;
export default AgentPost;
