// `import AgentPost from "@inkbox-core/sdk/agentpost"` (seed 003's `import AgentPost from 'agentpost'`).
import cjs from "./agentpost.cjs";
export const { AgentPost, InboxesResource, DEFAULT_BASE_URL } = cjs;
export default cjs.AgentPost;
