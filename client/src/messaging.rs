//! Org-level messaging: texts (SMS/MMS), SMS opt-ins, iMessage and iMessage
//! contact rules.

use inkbox_core::api::OffsetPager;
use inkbox_core::api::imessage::{
    self as im, CreateIMessageContactRuleRequest, IMessage, IMessageAssignment, IMessageContactRule,
    IMessageConversation, IMessageConversationSummary, IMessageMarkReadResult, IMessageMediaUpload, IMessageReaction,
    IMessageTriageNumber, ListIMessageAssignmentsParams, ListIMessageContactRulesParams,
    ListIMessageConversationsParams, ListIMessagesParams, ListOrgIMessageContactRulesParams,
    SendIMessageReactionRequest, SendIMessageRequest, UpdateIMessageContactRuleRequest,
};
use inkbox_core::api::texts::{
    self, GetTextConversationParams, ListSmsOptInsParams, ListTextConversationsParams, ListTextsParams,
    SearchTextsParams, SendTextRequest, SmsOptIn, TextConversationSummary, TextConversationUpdateResult, TextMessage,
    UpdateTextConversationRequest, UpdateTextRequest,
};

use crate::{Inkbox, Result};

impl Inkbox {
    /// Texts (SMS/MMS) of any number in the organization.
    pub fn texts(&self) -> Texts<'_> {
        Texts { client: self }
    }

    /// The SMS consent registry.
    pub fn sms_opt_ins(&self) -> SmsOptIns<'_> {
        SmsOptIns { client: self }
    }

    /// iMessage over the shared router.
    pub fn imessages(&self) -> IMessages<'_> {
        IMessages { client: self }
    }

    /// Per-identity iMessage allow/block rules.
    pub fn imessage_contact_rules(&self) -> IMessageContactRules<'_> {
        IMessageContactRules { client: self }
    }
}

/// Uploads iMessage media with a random multipart boundary seed.
pub(crate) fn upload_media(
    client: &Inkbox,
    content: &[u8],
    filename: &str,
    content_type: Option<&str>,
) -> Result<IMessageMediaUpload> {
    let mut seed = [0u8; 16];
    client.environment().fill_random(&mut seed)?;
    client.execute(im::build_upload_media(content, filename, content_type, Some(&seed))?, im::parse_upload_media)
}

/// Texts (`/api/v1/phone/numbers/{id}/texts…`).
#[derive(Clone, Copy, Debug)]
pub struct Texts<'a> {
    client: &'a Inkbox,
}

impl<'a> Texts<'a> {
    /// Sends an SMS/MMS from a number (queued; delivery arrives by webhook).
    pub fn send(&self, phone_number_id: &str, input: &SendTextRequest) -> Result<TextMessage> {
        self.client.execute(texts::build_send(phone_number_id, input)?, texts::parse_send)
    }

    /// One page of a number's texts, newest first.
    pub fn list(&self, phone_number_id: &str, params: &ListTextsParams) -> Result<Vec<TextMessage>> {
        self.client.execute(texts::build_list(phone_number_id, params)?, texts::parse_list)
    }

    /// Iterates all of a number's texts, newest first, fetching pages of 50
    /// until a short page; `is_read` filters by read state.
    pub fn iter(
        &self,
        phone_number_id: &str,
        is_read: Option<bool>,
    ) -> impl Iterator<Item = Result<TextMessage>> + 'a + use<'a> {
        let mut query = serde_json::Map::new();
        query.insert("limit".into(), OffsetPager::DEFAULT_LIMIT.into());
        query.insert("offset".into(), 0.into());
        if let Some(is_read) = is_read {
            query.insert("is_read".into(), is_read.into());
        }
        let args = serde_json::json!({"path": {"phone_number_id": phone_number_id}, "query": query});
        self.client.paginate_offset("texts.list", args, texts::parse_list)
    }

    /// One text.
    pub fn get(&self, phone_number_id: &str, text_id: &str) -> Result<TextMessage> {
        self.client.execute(texts::build_get(phone_number_id, text_id)?, texts::parse_get)
    }

    /// Full-text search over a number's texts.
    pub fn search(&self, phone_number_id: &str, params: &SearchTextsParams) -> Result<Vec<TextMessage>> {
        self.client.execute(texts::build_search(phone_number_id, params)?, texts::parse_search)
    }

    /// Updates a text (read state).
    pub fn update(&self, phone_number_id: &str, text_id: &str, input: &UpdateTextRequest) -> Result<TextMessage> {
        self.client.execute(texts::build_update(phone_number_id, text_id, input)?, texts::parse_update)
    }

    /// One page of conversation summaries.
    pub fn list_conversations(
        &self,
        phone_number_id: &str,
        params: &ListTextConversationsParams,
    ) -> Result<Vec<TextConversationSummary>> {
        self.client.execute(texts::build_list_conversations(phone_number_id, params)?, texts::parse_list_conversations)
    }

    /// One page of a conversation's messages; `key` is the remote E.164
    /// number or the conversation UUID.
    pub fn get_conversation(
        &self,
        phone_number_id: &str,
        key: &str,
        params: &GetTextConversationParams,
    ) -> Result<Vec<TextMessage>> {
        self.client.execute(texts::build_get_conversation(phone_number_id, key, params)?, texts::parse_get_conversation)
    }

    /// Marks a whole conversation read (`true`) or unread (`false`).
    pub fn update_conversation(
        &self,
        phone_number_id: &str,
        key: &str,
        is_read: bool,
    ) -> Result<TextConversationUpdateResult> {
        let input = UpdateTextConversationRequest { is_read };
        self.client
            .execute(texts::build_update_conversation(phone_number_id, key, &input)?, texts::parse_update_conversation)
    }
}

/// The SMS consent registry (`/api/v1/phone/sms-opt-ins`).
#[derive(Clone, Copy, Debug)]
pub struct SmsOptIns<'a> {
    client: &'a Inkbox,
}

impl SmsOptIns<'_> {
    /// The organization's consent rows, newest-updated first.
    pub fn list(&self, params: &ListSmsOptInsParams) -> Result<Vec<SmsOptIn>> {
        self.client.execute(texts::build_list_sms_opt_ins(params)?, texts::parse_list_sms_opt_ins)
    }

    /// One recipient's consent row (404 when none exists).
    pub fn get(&self, receiver_number: &str) -> Result<SmsOptIn> {
        self.client.execute(texts::build_get_sms_opt_in(receiver_number)?, texts::parse_get_sms_opt_in)
    }

    /// Records an opt-in captured outside START (admin; customer campaign only).
    pub fn opt_in(&self, receiver_number: &str) -> Result<SmsOptIn> {
        self.client.execute(texts::build_opt_in(receiver_number)?, texts::parse_opt_in)
    }

    /// Records an opt-out captured outside STOP (admin; customer campaign only).
    pub fn opt_out(&self, receiver_number: &str) -> Result<SmsOptIn> {
        self.client.execute(texts::build_opt_out(receiver_number)?, texts::parse_opt_out)
    }
}

/// iMessage (`/api/v1/imessage`).
#[derive(Clone, Copy, Debug)]
pub struct IMessages<'a> {
    client: &'a Inkbox,
}

impl IMessages<'_> {
    /// The router number humans text `connect @handle` to.
    pub fn get_triage_number(&self) -> Result<IMessageTriageNumber> {
        self.client.execute(im::build_get_triage_number()?, im::parse_get_triage_number)
    }

    /// Sends an iMessage; `agent_identity_id` picks the sending identity for
    /// org-wide keys.
    pub fn send(&self, input: &SendIMessageRequest, agent_identity_id: Option<&str>) -> Result<IMessage> {
        self.client.execute(im::build_send_message(input, agent_identity_id)?, im::parse_send_message)
    }

    /// One page of messages, newest first.
    pub fn list(&self, params: &ListIMessagesParams) -> Result<Vec<IMessage>> {
        self.client.execute(im::build_list_messages(params)?, im::parse_list_messages)
    }

    /// One page of active assignments (connected humans).
    pub fn list_assignments(&self, params: &ListIMessageAssignmentsParams) -> Result<Vec<IMessageAssignment>> {
        self.client.execute(im::build_list_assignments(params)?, im::parse_list_assignments)
    }

    /// One page of conversation summaries.
    pub fn list_conversations(
        &self,
        params: &ListIMessageConversationsParams,
    ) -> Result<Vec<IMessageConversationSummary>> {
        self.client.execute(im::build_list_conversations(params)?, im::parse_list_conversations)
    }

    /// One conversation; `agent_identity_id` asserts its owner (404 otherwise).
    pub fn get_conversation(
        &self,
        conversation_id: &str,
        agent_identity_id: Option<&str>,
    ) -> Result<IMessageConversation> {
        self.client.execute(im::build_get_conversation(conversation_id, agent_identity_id)?, im::parse_get_conversation)
    }

    /// Sends a tapback.
    pub fn send_reaction(&self, input: &SendIMessageReactionRequest) -> Result<IMessageReaction> {
        self.client.execute(im::build_send_reaction(input)?, im::parse_send_reaction)
    }

    /// Sends a read receipt and marks the conversation's inbound rows read.
    pub fn mark_read(&self, conversation_id: &str) -> Result<IMessageMarkReadResult> {
        self.client.execute(im::build_mark_read(conversation_id)?, im::parse_mark_read)
    }

    /// Shows a typing indicator.
    pub fn send_typing(&self, conversation_id: &str) -> Result<()> {
        self.client.execute(im::build_send_typing(conversation_id)?, im::parse_send_typing)
    }

    /// Uploads a media file (≤ 10 MiB) for use in `media_urls`.
    pub fn upload_media(
        &self,
        content: &[u8],
        filename: &str,
        content_type: Option<&str>,
    ) -> Result<IMessageMediaUpload> {
        upload_media(self.client, content, filename, content_type)
    }
}

/// Per-identity iMessage contact rules
/// (`/api/v1/imessage/identities/{handle}/contact-rules`).
#[derive(Clone, Copy, Debug)]
pub struct IMessageContactRules<'a> {
    client: &'a Inkbox,
}

impl IMessageContactRules<'_> {
    /// An identity's rules.
    pub fn list(&self, handle: &str, params: &ListIMessageContactRulesParams) -> Result<Vec<IMessageContactRule>> {
        self.client.execute(im::build_list_contact_rules(handle, params)?, im::parse_list_contact_rules)
    }

    /// One rule.
    pub fn get(&self, handle: &str, rule_id: &str) -> Result<IMessageContactRule> {
        self.client.execute(im::build_get_contact_rule(handle, rule_id)?, im::parse_get_contact_rule)
    }

    /// Creates a rule (409 `api.duplicate_contact_rule` when one exists).
    pub fn create(&self, handle: &str, input: &CreateIMessageContactRuleRequest) -> Result<IMessageContactRule> {
        self.client.execute(im::build_create_contact_rule(handle, input)?, im::parse_create_contact_rule)
    }

    /// Updates a rule (admin-only).
    pub fn update(
        &self,
        handle: &str,
        rule_id: &str,
        input: &UpdateIMessageContactRuleRequest,
    ) -> Result<IMessageContactRule> {
        self.client.execute(im::build_update_contact_rule(handle, rule_id, input)?, im::parse_update_contact_rule)
    }

    /// Deletes a rule (admin-only).
    pub fn delete(&self, handle: &str, rule_id: &str) -> Result<()> {
        self.client.execute(im::build_delete_contact_rule(handle, rule_id)?, im::parse_delete_contact_rule)
    }

    /// Every rule of the organization (admin-only).
    pub fn list_org(&self, params: &ListOrgIMessageContactRulesParams) -> Result<Vec<IMessageContactRule>> {
        self.client.execute(im::build_list_org_contact_rules(params)?, im::parse_list_org_contact_rules)
    }
}
