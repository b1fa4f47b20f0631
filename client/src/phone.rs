//! Org-level phone: numbers, calls and transcripts.

use inkbox_core::api::OffsetPager;
use inkbox_core::api::phone::{
    self, CreatePhoneNumberRequest, ListCallsParams, PhoneCall, PhoneCallWithRateLimit, PhoneNumber, PhoneTranscript,
    PlaceCallRequest, SearchTranscriptsParams, UpdatePhoneNumberRequest,
};

use crate::{Inkbox, Result};

impl Inkbox {
    /// Phone numbers: list, get, provision, update, release, transcript search.
    pub fn phone_numbers(&self) -> PhoneNumbers<'_> {
        PhoneNumbers { client: self }
    }

    /// Calls of any number in the organization.
    pub fn calls(&self) -> Calls<'_> {
        Calls { client: self }
    }

    /// Call transcripts.
    pub fn transcripts(&self) -> Transcripts<'_> {
        Transcripts { client: self }
    }
}

/// Phone numbers (`/api/v1/phone/numbers`), addressed by UUID.
#[derive(Clone, Copy, Debug)]
pub struct PhoneNumbers<'a> {
    client: &'a Inkbox,
}

impl PhoneNumbers<'_> {
    /// Every number of the organization.
    pub fn list(&self) -> Result<Vec<PhoneNumber>> {
        self.client.execute(phone::build_list_numbers()?, phone::parse_list_numbers)
    }

    /// One number.
    pub fn get(&self, phone_number_id: &str) -> Result<PhoneNumber> {
        self.client.execute(phone::build_get_number(phone_number_id)?, phone::parse_get_number)
    }

    /// Provisions a number bound to the identity named in `input.agent_handle`.
    pub fn provision(&self, input: &CreatePhoneNumberRequest) -> Result<PhoneNumber> {
        self.client.execute(phone::build_provision_number(input)?, phone::parse_provision_number)
    }

    /// Updates incoming-call handling or the filter mode.
    pub fn update(&self, phone_number_id: &str, input: &UpdatePhoneNumberRequest) -> Result<PhoneNumber> {
        self.client.execute(phone::build_update_number(phone_number_id, input)?, phone::parse_update_number)
    }

    /// Releases a number (at the carrier and locally).
    pub fn release(&self, phone_number_id: &str) -> Result<()> {
        self.client.execute(phone::build_release_number(phone_number_id)?, phone::parse_release_number)
    }

    /// Full-text search over the number's call transcripts.
    pub fn search_transcripts(
        &self,
        phone_number_id: &str,
        params: &SearchTranscriptsParams,
    ) -> Result<Vec<PhoneTranscript>> {
        self.client.execute(phone::build_search_transcripts(phone_number_id, params)?, phone::parse_search_transcripts)
    }
}

/// Calls (`/api/v1/phone/numbers/{id}/calls`, `/api/v1/phone/place-call`).
#[derive(Clone, Copy, Debug)]
pub struct Calls<'a> {
    client: &'a Inkbox,
}

impl<'a> Calls<'a> {
    /// One page of a number's calls, newest first.
    pub fn list(&self, phone_number_id: &str, params: &ListCallsParams) -> Result<Vec<PhoneCall>> {
        self.client.execute(phone::build_list_calls(phone_number_id, params)?, phone::parse_list_calls)
    }

    /// Iterates all of a number's calls, newest first, fetching pages of 50
    /// until a short page.
    pub fn iter(&self, phone_number_id: &str) -> impl Iterator<Item = Result<PhoneCall>> + 'a + use<'a> {
        let args = serde_json::json!({
            "path": {"phone_number_id": phone_number_id},
            "query": {"limit": OffsetPager::DEFAULT_LIMIT, "offset": 0},
        });
        self.client.paginate_offset("phone.calls.list", args, phone::parse_list_calls)
    }

    /// One call.
    pub fn get(&self, phone_number_id: &str, call_id: &str) -> Result<PhoneCall> {
        self.client.execute(phone::build_get_call(phone_number_id, call_id)?, phone::parse_get_call)
    }

    /// Places an outbound call.
    pub fn place(&self, input: &PlaceCallRequest) -> Result<PhoneCallWithRateLimit> {
        self.client.execute(phone::build_place_call(input)?, phone::parse_place_call)
    }
}

/// Call transcripts (`/api/v1/phone/numbers/{id}/calls/{call_id}/transcripts`).
#[derive(Clone, Copy, Debug)]
pub struct Transcripts<'a> {
    client: &'a Inkbox,
}

impl Transcripts<'_> {
    /// A call's transcript segments, ordered by `seq`.
    pub fn list(&self, phone_number_id: &str, call_id: &str) -> Result<Vec<PhoneTranscript>> {
        self.client.execute(phone::build_list_transcripts(phone_number_id, call_id)?, phone::parse_list_transcripts)
    }
}
