"use strict";
// AgentPost (seed 003): `new AgentPost({ apiKey })`, `client.inboxes.*`, over
// core's api::agentpost (another origin, Bearer keys `ap_sk_…`). Inboxes come
// back as the AgentPost wire has them (snake_case), as its own SDK shows them.

const errors = require("./errors.cjs");
const { Runner } = require("./runtime.cjs");

const DEFAULT_BASE_URL = "https://api.agent-post.dev/api/v1";

function pick(o, names) {
  const out = {};
  for (const [js, wire] of names) {
    const v = o[js] !== undefined ? o[js] : o[wire];
    if (v !== undefined) out[wire] = v;
  }
  return out;
}

class InboxesResource {
  constructor(runner) {
    Object.defineProperty(this, "_r", { value: runner });
  }

  /** Creates an inbox (`client_id` makes it idempotent: the same inbox comes back). */
  create(options) {
    const body = pick(options || {}, [["username", "username"], ["displayName", "display_name"], ["clientId", "client_id"]]);
    return this._r.raw("agentpost.inboxes.create", { body });
  }

  /** One page: `{items, next_cursor, has_more}`. */
  list(options) {
    const query = pick(options || {}, [["limit", "limit"], ["cursor", "cursor"]]);
    return this._r.raw("agentpost.inboxes.list", { query });
  }

  /** Every inbox, page after page (core's pager). */
  async *listAll(options) {
    const query = pick(options || {}, [["limit", "limit"]]);
    yield* this._r.paginate("agentpost.inboxes.list", { query }, "raw");
  }

  get(id) {
    return this._r.raw("agentpost.inboxes.get", { path: { id } });
  }

  update(id, options) {
    const body = pick(options || {}, [["displayName", "display_name"]]);
    return this._r.raw("agentpost.inboxes.update", { path: { id }, body });
  }

  async delete(id) {
    await this._r.raw("agentpost.inboxes.delete", { path: { id } });
  }
}

class AgentPost {
  /** @param {object} options apiKey (or AGENTPOST_API_KEY), baseUrl, timeoutMs, maxRetries, fetch */
  constructor(options) {
    const o = options || {};
    const apiKey = o.apiKey ?? process.env.AGENTPOST_API_KEY;
    if (!apiKey) throw new errors.InkboxError("No AgentPost API key: pass { apiKey } or set AGENTPOST_API_KEY", { code: "api.no_api_key" });
    const baseUrl = String(o.baseUrl ?? process.env.AGENTPOST_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    const r = new Runner({ apiKey, baseUrl, timeoutMs: o.timeoutMs ?? 30000, maxRetries: o.maxRetries ?? 2, fetch: o.fetch });
    this.inboxes = new InboxesResource(r);
  }
}

module.exports = { AgentPost, InboxesResource, DEFAULT_BASE_URL };
