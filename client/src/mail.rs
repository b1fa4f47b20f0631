//! Org-level mail: mailboxes, messages, threads and sending domains.

use inkbox_core::api::mail::{
    self, AttachmentUrl, Domain, ListMessagesParams, ListThreadsParams, Mailbox, Message, MessageDetail,
    MessageDirection, SendEmailRequest, SendingDomainStatus, Thread, ThreadFolder, UpdateMailboxRequest,
    UpdateMessageFlagsRequest,
};
use inkbox_core::api::{CursorPage, CursorPager};

use crate::{Inkbox, Result};

impl Inkbox {
    /// Mailboxes: list, get, update, search (created and deleted through identities).
    pub fn mailboxes(&self) -> Mailboxes<'_> {
        Mailboxes { client: self }
    }

    /// Messages of any mailbox in the organization.
    pub fn messages(&self) -> Messages<'_> {
        Messages { client: self }
    }

    /// Threads of any mailbox in the organization.
    pub fn threads(&self) -> Threads<'_> {
        Threads { client: self }
    }

    /// Custom sending domains.
    pub fn domains(&self) -> Domains<'_> {
        Domains { client: self }
    }
}

/// Mailboxes (`/api/v1/mail/mailboxes`), addressed by their email address.
#[derive(Clone, Copy, Debug)]
pub struct Mailboxes<'a> {
    client: &'a Inkbox,
}

impl Mailboxes<'_> {
    /// Every mailbox of the organization.
    pub fn list(&self) -> Result<Vec<Mailbox>> {
        self.client.execute(mail::build_list_mailboxes()?, mail::parse_list_mailboxes)
    }

    /// One mailbox.
    pub fn get(&self, email: &str) -> Result<Mailbox> {
        self.client.execute(mail::build_get_mailbox(email)?, mail::parse_get_mailbox)
    }

    /// Updates a mailbox (filter mode; admin-scoped keys only).
    pub fn update(&self, email: &str, input: &UpdateMailboxRequest) -> Result<Mailbox> {
        self.client.execute(mail::build_update_mailbox(email, input)?, mail::parse_update_mailbox)
    }

    /// Full-text search over a mailbox's messages (one page of up to
    /// `limit` results, default 50, relevance-ranked).
    pub fn search(&self, email: &str, q: &str, limit: Option<u32>) -> Result<Vec<Message>> {
        let page = self.client.execute(mail::build_search_mailbox(email, q, limit)?, mail::parse_search_mailbox)?;
        Ok(page.items)
    }
}

/// The query of a mailbox list's first page: the SDK's page size and one
/// optional filter.
fn page_query(filter: Option<(&str, &str)>) -> serde_json::Map<String, serde_json::Value> {
    let mut query = serde_json::Map::new();
    query.insert("limit".into(), CursorPager::DEFAULT_LIMIT.into());
    if let Some((name, value)) = filter {
        query.insert(name.into(), value.into());
    }
    query
}

/// The arguments of a list under `/mail/mailboxes/{email}`.
pub(crate) fn mailbox_args(email: &str, query: serde_json::Map<String, serde_json::Value>) -> serde_json::Value {
    serde_json::json!({"path": {"email": email}, "query": query})
}

/// The arguments of the message list of mailbox `email`, pages of 50,
/// optionally one direction only.
pub(crate) fn messages_args(email: &str, direction: Option<&MessageDirection>) -> serde_json::Value {
    mailbox_args(email, page_query(direction.map(|d| ("direction", d.as_str()))))
}

/// Messages (`/api/v1/mail/mailboxes/{email}/messages`).
#[derive(Clone, Copy, Debug)]
pub struct Messages<'a> {
    client: &'a Inkbox,
}

impl<'a> Messages<'a> {
    /// Iterates a mailbox's messages, newest first, fetching pages of 50 as
    /// needed; `direction` keeps only inbound or outbound mail.
    pub fn list(
        &self,
        email: &str,
        direction: Option<MessageDirection>,
    ) -> impl Iterator<Item = Result<Message>> + 'a + use<'a> {
        self.client.paginate_cursor(
            "mail.messages.list",
            messages_args(email, direction.as_ref()),
            mail::parse_list_messages,
        )
    }

    /// One page of messages, for callers that keep the cursor themselves.
    pub fn list_page(&self, email: &str, params: &ListMessagesParams) -> Result<CursorPage<Message>> {
        self.client.execute(mail::build_list_messages(email, params)?, mail::parse_list_messages)
    }

    /// One message with its bodies.
    pub fn get(&self, email: &str, message_id: &str) -> Result<MessageDetail> {
        self.client.execute(mail::build_get_message(email, message_id)?, mail::parse_get_message)
    }

    /// Sends a message from the mailbox.
    pub fn send(&self, email: &str, input: &SendEmailRequest) -> Result<Message> {
        self.client.execute(mail::build_send_message(email, input)?, mail::parse_send_message)
    }

    /// Sets the read and/or starred flags.
    pub fn update_flags(&self, email: &str, message_id: &str, input: &UpdateMessageFlagsRequest) -> Result<Message> {
        self.client
            .execute(mail::build_update_message_flags(email, message_id, input)?, mail::parse_update_message_flags)
    }

    /// Marks a message read.
    pub fn mark_read(&self, email: &str, message_id: &str) -> Result<Message> {
        self.update_flags(email, message_id, &UpdateMessageFlagsRequest::mark_read())
    }

    /// Marks a message unread.
    pub fn mark_unread(&self, email: &str, message_id: &str) -> Result<Message> {
        self.update_flags(email, message_id, &UpdateMessageFlagsRequest::mark_unread())
    }

    /// Stars a message.
    pub fn star(&self, email: &str, message_id: &str) -> Result<Message> {
        self.update_flags(email, message_id, &UpdateMessageFlagsRequest::star())
    }

    /// Unstars a message.
    pub fn unstar(&self, email: &str, message_id: &str) -> Result<Message> {
        self.update_flags(email, message_id, &UpdateMessageFlagsRequest::unstar())
    }

    /// Deletes a message.
    pub fn delete(&self, email: &str, message_id: &str) -> Result<()> {
        self.client.execute(mail::build_delete_message(email, message_id)?, mail::parse_delete_message)
    }

    /// A temporary signed URL for an attachment. With `redirect` the server
    /// answers with a redirect whose `Location` becomes the URL (the
    /// transport never follows it).
    pub fn get_attachment(
        &self,
        email: &str,
        message_id: &str,
        filename: &str,
        redirect: bool,
    ) -> Result<AttachmentUrl> {
        self.client.execute(
            mail::build_get_attachment_url(email, message_id, filename, redirect)?,
            mail::parse_get_attachment_url,
        )
    }
}

/// Threads (`/api/v1/mail/mailboxes/{email}/threads`).
#[derive(Clone, Copy, Debug)]
pub struct Threads<'a> {
    client: &'a Inkbox,
}

impl<'a> Threads<'a> {
    /// Iterates a mailbox's threads, most recent activity first, fetching
    /// pages of 50 as needed; `folder` narrows to one folder.
    pub fn list(
        &self,
        email: &str,
        folder: Option<ThreadFolder>,
    ) -> impl Iterator<Item = Result<Thread>> + 'a + use<'a> {
        let query = page_query(folder.as_ref().map(|f| ("folder", f.as_str())));
        self.client.paginate_cursor("mail.threads.list", mailbox_args(email, query), mail::parse_list_threads)
    }

    /// One page of threads, for callers that keep the cursor themselves.
    pub fn list_page(&self, email: &str, params: &ListThreadsParams) -> Result<CursorPage<Thread>> {
        self.client.execute(mail::build_list_threads(email, params)?, mail::parse_list_threads)
    }

    /// A thread with all its messages, oldest first.
    pub fn get(&self, email: &str, thread_id: &str) -> Result<Thread> {
        self.client.execute(mail::build_get_thread(email, thread_id)?, mail::parse_get_thread)
    }

    /// Deletes a thread.
    pub fn delete(&self, email: &str, thread_id: &str) -> Result<()> {
        self.client.execute(mail::build_delete_thread(email, thread_id)?, mail::parse_delete_thread)
    }
}

/// Custom sending domains (`/api/v1/domains`).
#[derive(Clone, Copy, Debug)]
pub struct Domains<'a> {
    client: &'a Inkbox,
}

impl Domains<'_> {
    /// The organization's sending domains, optionally only those in `status`.
    pub fn list(&self, status: Option<&SendingDomainStatus>) -> Result<Vec<Domain>> {
        self.client.execute(mail::build_list_domains(status)?, mail::parse_list_domains)
    }

    /// Makes `domain` (a bare name) the org default for new mailboxes
    /// (admin-scoped keys only). Returns the new default, or `None` when
    /// reverted to the platform domain.
    pub fn set_default(&self, domain: &str) -> Result<Option<String>> {
        self.client.execute(mail::build_set_default_domain(domain)?, mail::parse_set_default_domain)
    }
}
