//! Agent identities and the helpers scoped to an identity's channels.

use std::borrow::Cow;

use inkbox_core::api::ApiError;
use inkbox_core::api::identities::{
    self as ids, AgentIdentity, AgentIdentitySummary, CreateIdentityRequest, IdentityAccess, IdentityMailbox,
    UpdateIdentityRequest,
};
use inkbox_core::api::imessage::{
    self as im, IMessage, IMessageAssignment, IMessageConversation, IMessageConversationSummary,
    IMessageMarkReadResult, IMessageMediaUpload, IMessageReaction, ListIMessageAssignmentsParams,
    ListIMessageConversationsParams, ListIMessagesParams, SendIMessageReactionRequest, SendIMessageRequest,
};
use inkbox_core::api::keys::{self, SigningKey, SigningKeyStatus};
use inkbox_core::api::mail::{self, Message, MessageDetail, MessageDirection, SendEmailRequest, Thread};
use inkbox_core::api::phone::{
    self, CreatePhoneNumberRequest, ListCallsParams, PhoneCall, PhoneCallWithRateLimit, PhoneNumber, PhoneTranscript,
    PlaceCallRequest,
};
use inkbox_core::api::texts::{
    self, GetTextConversationParams, ListTextConversationsParams, ListTextsParams, SendTextRequest,
    TextConversationSummary, TextConversationUpdateResult, TextMessage, UpdateTextConversationRequest,
    UpdateTextRequest,
};
use inkbox_core::api::tunnels::Tunnel;

use crate::{Inkbox, Result};

/// Error code: a mail helper was called on an identity without a mailbox.
pub(crate) const NO_MAILBOX: &str = inkbox_core::api::codes::IDENTITY_NO_MAILBOX;
/// Error code: a phone or text helper was called on an identity without a number.
pub(crate) const NO_PHONE_NUMBER: &str = inkbox_core::api::codes::IDENTITY_NO_PHONE_NUMBER;
/// Error code: an iMessage helper was called on an identity with iMessage off.
pub(crate) const IMESSAGE_DISABLED: &str = inkbox_core::api::codes::IDENTITY_IMESSAGE_DISABLED;

impl Inkbox {
    /// Creates an agent identity; its mailbox and tunnel are provisioned
    /// atomically (`POST /api/v1/identities/`).
    pub fn create_identity(&self, input: &CreateIdentityRequest) -> Result<Identity> {
        let data = self.execute(ids::build_create(input)?, ids::parse_create)?;
        Ok(Identity { client: self.clone(), data })
    }

    /// Fetches an identity with its channels by handle (`GET /api/v1/identities/{handle}`).
    pub fn get_identity(&self, handle: &str) -> Result<Identity> {
        let data = self.execute(ids::build_get(handle)?, ids::parse_get)?;
        Ok(Identity { client: self.clone(), data })
    }

    /// Lists the organization's identities, without channels (`GET /api/v1/identities/`).
    pub fn list_identities(&self) -> Result<Vec<AgentIdentitySummary>> {
        self.execute(ids::build_list()?, ids::parse_list)
    }
}

/// An agent identity and the helpers scoped to its channels (mailbox, phone
/// number, iMessage).
///
/// It holds a clone of the client and the identity as last fetched; the
/// helpers address the cached mailbox, number and id, and refuse (with an
/// [`ApiError::Flow`] error, before any request) when the channel they need
/// is missing: `identity.no_mailbox`, `identity.no_phone_number` or
/// `identity.imessage_disabled`.
#[derive(Clone, Debug)]
pub struct Identity {
    pub(crate) client: Inkbox,
    pub(crate) data: AgentIdentity,
}

fn guard(code: &'static str, handle: &str, what: &str) -> ApiError {
    ApiError::Flow { code, message: Cow::Owned(format!("identity '{handle}' {what}")) }
}

impl Identity {
    /// Wraps identity data fetched elsewhere.
    pub fn from_data(client: Inkbox, data: AgentIdentity) -> Self {
        Identity { client, data }
    }

    /// The identity as last fetched.
    pub fn data(&self) -> &AgentIdentity {
        &self.data
    }

    /// The identity data, consuming the handle.
    pub fn into_data(self) -> AgentIdentity {
        self.data
    }

    /// The client this identity uses.
    pub fn client(&self) -> &Inkbox {
        &self.client
    }

    /// The identity's UUID.
    pub fn id(&self) -> &str {
        &self.data.id
    }

    /// The handle.
    pub fn agent_handle(&self) -> &str {
        &self.data.agent_handle
    }

    /// The identity's email address (core's rule,
    /// [`ids::identity_email_address`]: its own field, else the mailbox's).
    pub fn email_address(&self) -> Option<&str> {
        self.data.email_address()
    }

    /// The linked mailbox, if any.
    pub fn mailbox(&self) -> Option<&IdentityMailbox> {
        self.data.mailbox.as_ref()
    }

    /// The phone number, once provisioned.
    pub fn phone_number(&self) -> Option<&PhoneNumber> {
        self.data.phone_number.as_ref()
    }

    /// The tunnel, if any.
    pub fn tunnel(&self) -> Option<&Tunnel> {
        self.data.tunnel.as_ref()
    }

    // ------------------------------------------------------------ guards

    fn require_mailbox(&self) -> Result<&str> {
        self.email_address().ok_or_else(|| guard(NO_MAILBOX, &self.data.agent_handle, "has no mailbox"))
    }

    fn require_phone(&self) -> Result<&PhoneNumber> {
        self.data
            .phone_number
            .as_ref()
            .ok_or_else(|| guard(NO_PHONE_NUMBER, &self.data.agent_handle, "has no phone number"))
    }

    fn require_imessage(&self) -> Result<()> {
        if self.data.imessage_enabled {
            Ok(())
        } else {
            Err(guard(IMESSAGE_DISABLED, &self.data.agent_handle, "does not have iMessage enabled"))
        }
    }

    // -------------------------------------------------------- lifecycle

    /// Re-fetches the identity and its channels.
    pub fn refresh(&mut self) -> Result<&AgentIdentity> {
        self.data = self.client.execute(ids::build_get(&self.data.agent_handle)?, ids::parse_get)?;
        Ok(&self.data)
    }

    /// Updates handle, display name, description, iMessage settings or status
    /// (`PATCH /api/v1/identities/{handle}`). The returned fields are merged
    /// into the cached data (core's [`AgentIdentity::apply_update`]); only a
    /// rename of an identity with a tunnel fetches it again, under its new
    /// handle.
    pub fn update(&mut self, input: &UpdateIdentityRequest) -> Result<AgentIdentitySummary> {
        let summary = self.client.execute(ids::build_update(&self.data.agent_handle, input)?, ids::parse_update)?;
        if self.data.apply_update(&summary) {
            self.data = self.client.execute(ids::build_get(&summary.agent_handle)?, ids::parse_get)?;
        }
        Ok(summary)
    }

    /// Deletes the identity (cascades to its mailbox, tunnel and phone
    /// number; revokes scoped API keys).
    pub fn delete(&self) -> Result<()> {
        self.client.execute(ids::build_delete(&self.data.agent_handle)?, ids::parse_delete)
    }

    /// Provisions a local phone number for this identity (`POST
    /// /api/v1/phone/numbers`), then re-fetches the identity so
    /// [`Identity::phone_number`] is populated. `state` is a two-letter US
    /// state such as `NY`.
    pub fn provision_phone_number(&mut self, state: Option<&str>) -> Result<PhoneNumber> {
        let input = CreatePhoneNumberRequest {
            state: state.map(str::to_owned),
            ..CreatePhoneNumberRequest::new(self.data.agent_handle.as_str())
        };
        let number = self.client.execute(phone::build_provision_number(&input)?, phone::parse_provision_number)?;
        self.refresh()?;
        Ok(number)
    }

    /// Releases the identity's phone number (`DELETE
    /// /api/v1/identities/{handle}/phone_number`).
    pub fn release_phone_number(&mut self) -> Result<()> {
        self.require_phone()?;
        self.client
            .execute(ids::build_release_phone_number(&self.data.agent_handle)?, ids::parse_release_phone_number)?;
        self.data.phone_number = None;
        Ok(())
    }

    // ------------------------------------------------------- visibility

    /// The visibility grants: one wildcard row, per-viewer rows, or none.
    pub fn list_access(&self) -> Result<Vec<IdentityAccess>> {
        self.client.execute(ids::build_list_access(&self.data.agent_handle)?, ids::parse_list_access)
    }

    /// Lets `viewer_identity_id` see this identity; `None` grants every
    /// active identity in the organization (wildcard).
    pub fn grant_access(&self, viewer_identity_id: Option<&str>) -> Result<IdentityAccess> {
        self.client
            .execute(ids::build_grant_access(&self.data.agent_handle, viewer_identity_id)?, ids::parse_grant_access)
    }

    /// Revokes one viewer's visibility grant.
    pub fn revoke_access(&self, viewer_identity_id: &str) -> Result<()> {
        self.client
            .execute(ids::build_revoke_access(&self.data.agent_handle, viewer_identity_id)?, ids::parse_revoke_access)
    }

    // ----------------------------------------------------- signing keys

    /// Creates or rotates this identity's webhook signing key (HEAD servers;
    /// the plaintext is returned once).
    pub fn create_signing_key(&self) -> Result<SigningKey> {
        self.client.execute(
            keys::build_create_identity_signing_key(&self.data.agent_handle)?,
            keys::parse_create_identity_signing_key,
        )
    }

    /// Whether this identity has a webhook signing key (HEAD servers).
    pub fn signing_key_status(&self) -> Result<SigningKeyStatus> {
        self.client.execute(
            keys::build_get_identity_signing_key_status(&self.data.agent_handle)?,
            keys::parse_get_identity_signing_key_status,
        )
    }

    // ------------------------------------------------------------- mail

    /// Sends an email from the identity's mailbox.
    pub fn send_email(&self, input: &SendEmailRequest) -> Result<Message> {
        let email = self.require_mailbox()?;
        self.client.execute(mail::build_send_message(email, input)?, mail::parse_send_message)
    }

    /// Iterates the mailbox's messages, newest first, fetching pages of 50
    /// as needed; `direction` keeps only inbound or outbound mail.
    pub fn iter_emails(
        &self,
        direction: Option<MessageDirection>,
    ) -> Result<impl Iterator<Item = Result<Message>> + '_> {
        let email = self.require_mailbox()?;
        Ok(self.client.paginate_cursor(
            "mail.messages.list",
            crate::mail::messages_args(email, direction.as_ref()),
            mail::parse_list_messages,
        ))
    }

    /// Iterates only the unread messages (a client-side filter over
    /// [`Identity::iter_emails`]; errors are passed through).
    pub fn iter_unread_emails(&self) -> Result<impl Iterator<Item = Result<Message>> + '_> {
        Ok(self.iter_emails(None)?.filter(|item| match item {
            Ok(m) => mail::is_unread(m),
            Err(_) => true,
        }))
    }

    /// Marks messages read, one `PATCH` per id, stopping at the first error.
    pub fn mark_emails_read<I, S>(&self, message_ids: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let email = self.require_mailbox()?;
        let flags = mail::UpdateMessageFlagsRequest::mark_read();
        for id in message_ids {
            self.client.execute(
                mail::build_update_message_flags(email, id.as_ref(), &flags)?,
                mail::parse_update_message_flags,
            )?;
        }
        Ok(())
    }

    /// One message with its bodies.
    pub fn get_message(&self, message_id: &str) -> Result<MessageDetail> {
        let email = self.require_mailbox()?;
        self.client.execute(mail::build_get_message(email, message_id)?, mail::parse_get_message)
    }

    /// A thread with all its messages, oldest first.
    pub fn get_thread(&self, thread_id: &str) -> Result<Thread> {
        let email = self.require_mailbox()?;
        self.client.execute(mail::build_get_thread(email, thread_id)?, mail::parse_get_thread)
    }

    // ------------------------------------------------------------ phone

    /// Places an outbound call from the identity's number; the audio is
    /// bridged to `client_websocket_url` when given.
    pub fn place_call(&self, to_number: &str, client_websocket_url: Option<&str>) -> Result<PhoneCallWithRateLimit> {
        let number = self.require_phone()?;
        let input = PlaceCallRequest {
            from_number: number.number.clone(),
            to_number: to_number.to_owned(),
            client_websocket_url: client_websocket_url.map(str::to_owned),
        };
        self.client.execute(phone::build_place_call(&input)?, phone::parse_place_call)
    }

    /// One page of the number's calls, newest first.
    pub fn list_calls(&self, limit: u32, offset: u64) -> Result<Vec<PhoneCall>> {
        let number = self.require_phone()?;
        let params = ListCallsParams { limit, offset, ..Default::default() };
        self.client.execute(phone::build_list_calls(&number.id, &params)?, phone::parse_list_calls)
    }

    /// A call's transcript segments, ordered by `seq`.
    pub fn list_transcripts(&self, call_id: &str) -> Result<Vec<PhoneTranscript>> {
        let number = self.require_phone()?;
        self.client.execute(phone::build_list_transcripts(&number.id, call_id)?, phone::parse_list_transcripts)
    }

    // ------------------------------------------------------------ texts

    /// Sends an SMS/MMS from the identity's number (queued; delivery
    /// arrives by webhook).
    pub fn send_text(&self, input: &SendTextRequest) -> Result<TextMessage> {
        let number = self.require_phone()?;
        self.client.execute(texts::build_send(&number.id, input)?, texts::parse_send)
    }

    /// One page of texts, newest first.
    pub fn list_texts(&self, params: &ListTextsParams) -> Result<Vec<TextMessage>> {
        let number = self.require_phone()?;
        self.client.execute(texts::build_list(&number.id, params)?, texts::parse_list)
    }

    /// One text.
    pub fn get_text(&self, text_id: &str) -> Result<TextMessage> {
        let number = self.require_phone()?;
        self.client.execute(texts::build_get(&number.id, text_id)?, texts::parse_get)
    }

    /// One page of conversation summaries (1:1 only unless `include_groups`).
    pub fn list_text_conversations(
        &self,
        params: &ListTextConversationsParams,
    ) -> Result<Vec<TextConversationSummary>> {
        let number = self.require_phone()?;
        self.client.execute(texts::build_list_conversations(&number.id, params)?, texts::parse_list_conversations)
    }

    /// One page of a conversation's messages; `key` is the remote E.164
    /// number or the conversation UUID.
    pub fn get_text_conversation(&self, key: &str, params: &GetTextConversationParams) -> Result<Vec<TextMessage>> {
        let number = self.require_phone()?;
        self.client.execute(texts::build_get_conversation(&number.id, key, params)?, texts::parse_get_conversation)
    }

    /// Marks one text read.
    pub fn mark_text_read(&self, text_id: &str) -> Result<TextMessage> {
        let number = self.require_phone()?;
        let input = UpdateTextRequest { is_read: Some(true), ..Default::default() };
        self.client.execute(texts::build_update(&number.id, text_id, &input)?, texts::parse_update)
    }

    /// Marks every message of a conversation read.
    pub fn mark_text_conversation_read(&self, key: &str) -> Result<TextConversationUpdateResult> {
        let number = self.require_phone()?;
        let input = UpdateTextConversationRequest { is_read: true };
        self.client
            .execute(texts::build_update_conversation(&number.id, key, &input)?, texts::parse_update_conversation)
    }

    // --------------------------------------------------------- iMessage

    /// Sends an iMessage as this identity (into a conversation, or `to` a
    /// connected human).
    pub fn send_imessage(&self, input: &SendIMessageRequest) -> Result<IMessage> {
        self.require_imessage()?;
        self.client.execute(im::build_send_message(input, Some(&self.data.id))?, im::parse_send_message)
    }

    /// One page of this identity's iMessages (`agent_identity_id` is set to
    /// this identity).
    pub fn list_imessages(&self, params: &ListIMessagesParams) -> Result<Vec<IMessage>> {
        self.require_imessage()?;
        let params = ListIMessagesParams { agent_identity_id: Some(self.data.id.clone()), ..params.clone() };
        self.client.execute(im::build_list_messages(&params)?, im::parse_list_messages)
    }

    /// One page of this identity's iMessage conversations.
    pub fn list_imessage_conversations(
        &self,
        params: &ListIMessageConversationsParams,
    ) -> Result<Vec<IMessageConversationSummary>> {
        self.require_imessage()?;
        let params =
            ListIMessageConversationsParams { agent_identity_id: Some(self.data.id.clone()), ..params.clone() };
        self.client.execute(im::build_list_conversations(&params)?, im::parse_list_conversations)
    }

    /// One page of the humans currently connected to this identity.
    pub fn list_imessage_assignments(&self, limit: u32, offset: u64) -> Result<Vec<IMessageAssignment>> {
        self.require_imessage()?;
        let params = ListIMessageAssignmentsParams { limit, offset, agent_identity_id: Some(self.data.id.clone()) };
        self.client.execute(im::build_list_assignments(&params)?, im::parse_list_assignments)
    }

    /// One conversation (404 when it belongs to another identity).
    pub fn get_imessage_conversation(&self, conversation_id: &str) -> Result<IMessageConversation> {
        self.require_imessage()?;
        self.client
            .execute(im::build_get_conversation(conversation_id, Some(&self.data.id))?, im::parse_get_conversation)
    }

    /// Sends a tapback (one of the classic six).
    pub fn send_imessage_reaction(&self, input: &SendIMessageReactionRequest) -> Result<IMessageReaction> {
        self.require_imessage()?;
        self.client.execute(im::build_send_reaction(input)?, im::parse_send_reaction)
    }

    /// Sends a read receipt and marks the conversation's inbound rows read.
    pub fn mark_imessage_conversation_read(&self, conversation_id: &str) -> Result<IMessageMarkReadResult> {
        self.require_imessage()?;
        self.client.execute(im::build_mark_read(conversation_id)?, im::parse_mark_read)
    }

    /// Shows a typing indicator in the conversation.
    pub fn send_imessage_typing(&self, conversation_id: &str) -> Result<()> {
        self.require_imessage()?;
        self.client.execute(im::build_send_typing(conversation_id)?, im::parse_send_typing)
    }

    /// Uploads a media file (≤ 10 MiB) for use in `media_urls`;
    /// `content_type` defaults to `application/octet-stream`.
    pub fn upload_imessage_media(
        &self,
        content: &[u8],
        filename: &str,
        content_type: Option<&str>,
    ) -> Result<IMessageMediaUpload> {
        self.require_imessage()?;
        crate::messaging::upload_media(&self.client, content, filename, content_type)
    }
}
