"use strict";
// `require("@inkbox-core/sdk/agentpost")`: the AgentPost client (also its default export under ESM).
const { AgentPost, InboxesResource, DEFAULT_BASE_URL } = require("./js/agentpost.cjs");
module.exports = AgentPost;
module.exports.AgentPost = AgentPost;
module.exports.default = AgentPost;
module.exports.InboxesResource = InboxesResource;
module.exports.DEFAULT_BASE_URL = DEFAULT_BASE_URL;
