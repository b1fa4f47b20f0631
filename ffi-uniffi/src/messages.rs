//! What the description leaves to hand-written code (Python's mixins):
//! sending mail, and one call of any operation by name for the operations
//! no generated method covers yet (`ffi-uniffi/COVERAGE.md`).

use inkbox_core::api::mail::{self, Message};
use serde_json::{Map, Value, json};

use crate::client::{Args, Client};
use crate::error::InkboxError;
use crate::generated::resources::MessagesResource;

#[uniffi::export]
impl MessagesResource {
    /// Sends a message from the mailbox `emailAddress` (as Python's
    /// `messages.send`). `inReplyToMessageId`: a message's id or its RFC 5322
    /// Message-ID; `attachmentsJson`: the attachments as a JSON list.
    ///
    /// Operation `mail.messages.send`.
    #[uniffi::method(default(
        body_text = None,
        body_html = None,
        cc = None,
        bcc = None,
        in_reply_to_message_id = None,
        attachments_json = None
    ))]
    #[allow(clippy::too_many_arguments)]
    pub async fn send(
        &self,
        email_address: String,
        to: Vec<String>,
        subject: String,
        body_text: Option<String>,
        body_html: Option<String>,
        cc: Option<Vec<String>>,
        bcc: Option<Vec<String>>,
        in_reply_to_message_id: Option<String>,
        attachments_json: Option<String>,
    ) -> Result<Message, InkboxError> {
        let mut recipients = Map::new();
        recipients.insert("to".into(), json!(to));
        if let Some(cc) = cc.filter(|c| !c.is_empty()) {
            recipients.insert("cc".into(), json!(cc));
        }
        if let Some(bcc) = bcc.filter(|b| !b.is_empty()) {
            recipients.insert("bcc".into(), json!(bcc));
        }
        let mut args = Args::new(true);
        args.path("email", &email_address);
        args.body_value("recipients", Value::Object(recipients));
        args.body("subject", &subject)?;
        if let Some(v) = &body_text {
            args.body("body_text", v)?;
        }
        if let Some(v) = &body_html {
            args.body("body_html", v)?;
        }
        if let Some(v) = &in_reply_to_message_id {
            args.body("in_reply_to_message_id", v)?;
        }
        if let Some(text) = &attachments_json {
            args.body_value("attachments", Args::json("attachmentsJson", text)?);
        }
        let answer = self.client.execute("mail.messages.send", &args.finish()).await?;
        Ok(mail::parse_send_message(&answer.response())?)
    }
}

#[uniffi::export]
impl Client {
    /// One call of operation `operation` (a name of core's table, e.g.
    /// `identities.create`) with `argsJson` (`{"path": {...}, "query":
    /// {...}, "body": {...}}`), through the same engine (retries,
    /// idempotency keys); answers core's parse as JSON text (`null` for an
    /// operation without a result). For operations the generated methods do
    /// not cover yet.
    #[uniffi::method(default(args_json = None))]
    pub async fn call_json(&self, operation: String, args_json: Option<String>) -> Result<String, InkboxError> {
        let args = match args_json.as_deref() {
            None => Value::Null,
            Some(text) => Args::json("argsJson", &zeroize::Zeroizing::new(text.to_owned()))?,
        };
        let answer = self.inner.execute(&operation, &args).await?;
        Ok(inkbox_core::api::dynamic::parse(&operation, &answer.response())?.to_string())
    }

    /// The name of every operation `callJson` accepts, in core's table order.
    pub fn operations(&self) -> Vec<String> {
        inkbox_core::api::dynamic::operations().map(|o| o.name.to_owned()).collect()
    }
}
