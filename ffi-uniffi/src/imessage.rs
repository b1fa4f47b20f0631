//! What the description leaves hand-written for iMessage (Python's
//! `IMessagesCustom`): the media upload, a `multipart/form-data` body that
//! core's typed builder writes (`imessage::build_upload_media`), and
//! `Identity.uploadImessageMedia` over it.

use inkbox_core::api::imessage::{self, IMessageMediaUpload};

use crate::client::ClientInner;
use crate::error::InkboxError;
use crate::generated::resources::IMessagesResource;
use crate::identity::Identity;

/// Uploads `content` as `filename`: core validates the arguments (at most
/// 10 MiB, a plain file name, a printable content type) and writes the body;
/// the multipart boundary is derived from 16 bytes of the operating system's
/// CSPRNG.
async fn upload(
    client: &ClientInner,
    content: &[u8],
    filename: &str,
    content_type: Option<&str>,
) -> Result<IMessageMediaUpload, InkboxError> {
    let mut seed = [0u8; 16];
    getrandom::fill(&mut seed).map_err(|_| InkboxError::internal("internal.random", "no randomness"))?;
    let req = imessage::build_upload_media(content, filename, content_type, Some(&seed))?;
    let answer = client.execute_built(req).await?;
    Ok(imessage::parse_upload_media(&answer.response())?)
}

#[uniffi::export]
impl IMessagesResource {
    /// Uploads a media file (bytes as they are, at most 10 MiB); the
    /// answer's `mediaUrl` goes in `mediaUrls` of a send. `contentType`:
    /// default `application/octet-stream`.
    ///
    /// Operation `imessage.media.upload`.
    #[uniffi::method(default(content_type = None))]
    pub async fn upload_media(
        &self,
        content: Vec<u8>,
        filename: String,
        content_type: Option<String>,
    ) -> Result<IMessageMediaUpload, InkboxError> {
        upload(&self.client, &content, &filename, content_type.as_deref()).await
    }
}

#[uniffi::export]
impl Identity {
    /// Uploads media for `mediaUrls` of `sendImessage` (as
    /// `imessages().uploadMedia`); refused before any request when the
    /// identity is not iMessage-enabled.
    #[uniffi::method(default(content_type = None))]
    pub async fn upload_imessage_media(
        &self,
        content: Vec<u8>,
        filename: String,
        content_type: Option<String>,
    ) -> Result<IMessageMediaUpload, InkboxError> {
        if !self.data.imessage_enabled {
            return Err(self.imessage_unbound());
        }
        upload(&self.client, &content, &filename, content_type.as_deref()).await
    }
}
