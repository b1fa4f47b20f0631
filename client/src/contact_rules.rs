//! Mail (per mailbox) and phone (per number) contact rules, with their
//! org-wide lists. The service has announced them deprecated.

use inkbox_core::api::mail::{
    self, CreateMailContactRuleRequest, ListMailContactRulesParams, ListOrgMailContactRulesParams, MailContactRule,
    UpdateMailContactRuleRequest,
};
use inkbox_core::api::phone::{
    self, CreatePhoneContactRuleRequest, ListOrgPhoneContactRulesParams, ListPhoneContactRulesParams, PhoneContactRule,
    UpdatePhoneContactRuleRequest,
};

use crate::{Inkbox, Result};

impl Inkbox {
    /// Per-mailbox allow/block rules (deprecated by the service).
    pub fn mail_contact_rules(&self) -> MailContactRules<'_> {
        MailContactRules { client: self }
    }

    /// Per-number allow/block rules for calls and texts (deprecated by the service).
    pub fn phone_contact_rules(&self) -> PhoneContactRules<'_> {
        PhoneContactRules { client: self }
    }
}

/// Mail contact rules (`/api/v1/mail/mailboxes/{email}/contact-rules`).
#[derive(Clone, Copy, Debug)]
pub struct MailContactRules<'a> {
    client: &'a Inkbox,
}

impl MailContactRules<'_> {
    /// A mailbox's rules.
    pub fn list(&self, email: &str, params: &ListMailContactRulesParams) -> Result<Vec<MailContactRule>> {
        self.client.execute(mail::build_list_contact_rules(email, params)?, mail::parse_list_contact_rules)
    }

    /// One rule.
    pub fn get(&self, email: &str, rule_id: &str) -> Result<MailContactRule> {
        self.client.execute(mail::build_get_contact_rule(email, rule_id)?, mail::parse_get_contact_rule)
    }

    /// Creates a rule (409 `api.duplicate_contact_rule` when one exists).
    pub fn create(&self, email: &str, input: &CreateMailContactRuleRequest) -> Result<MailContactRule> {
        self.client.execute(mail::build_create_contact_rule(email, input)?, mail::parse_create_contact_rule)
    }

    /// Updates a rule's action or status (admin-only).
    pub fn update(&self, email: &str, rule_id: &str, input: &UpdateMailContactRuleRequest) -> Result<MailContactRule> {
        self.client.execute(mail::build_update_contact_rule(email, rule_id, input)?, mail::parse_update_contact_rule)
    }

    /// Deletes a rule (admin-only).
    pub fn delete(&self, email: &str, rule_id: &str) -> Result<()> {
        self.client.execute(mail::build_delete_contact_rule(email, rule_id)?, mail::parse_delete_contact_rule)
    }

    /// Every mail rule of the organization (admin-only).
    pub fn list_org(&self, params: &ListOrgMailContactRulesParams) -> Result<Vec<MailContactRule>> {
        self.client.execute(mail::build_list_org_contact_rules(params)?, mail::parse_list_org_contact_rules)
    }
}

/// Phone contact rules (`/api/v1/phone/numbers/{id}/contact-rules`).
#[derive(Clone, Copy, Debug)]
pub struct PhoneContactRules<'a> {
    client: &'a Inkbox,
}

impl PhoneContactRules<'_> {
    /// A number's rules.
    pub fn list(&self, phone_number_id: &str, params: &ListPhoneContactRulesParams) -> Result<Vec<PhoneContactRule>> {
        self.client.execute(phone::build_list_contact_rules(phone_number_id, params)?, phone::parse_list_contact_rules)
    }

    /// One rule.
    pub fn get(&self, phone_number_id: &str, rule_id: &str) -> Result<PhoneContactRule> {
        self.client.execute(phone::build_get_contact_rule(phone_number_id, rule_id)?, phone::parse_get_contact_rule)
    }

    /// Creates a rule (409 `api.duplicate_contact_rule` when one exists).
    pub fn create(&self, phone_number_id: &str, input: &CreatePhoneContactRuleRequest) -> Result<PhoneContactRule> {
        self.client.execute(phone::build_create_contact_rule(phone_number_id, input)?, phone::parse_create_contact_rule)
    }

    /// Updates a rule's action or status (admin-only).
    pub fn update(
        &self,
        phone_number_id: &str,
        rule_id: &str,
        input: &UpdatePhoneContactRuleRequest,
    ) -> Result<PhoneContactRule> {
        self.client.execute(
            phone::build_update_contact_rule(phone_number_id, rule_id, input)?,
            phone::parse_update_contact_rule,
        )
    }

    /// Deletes a rule (admin-only).
    pub fn delete(&self, phone_number_id: &str, rule_id: &str) -> Result<()> {
        self.client
            .execute(phone::build_delete_contact_rule(phone_number_id, rule_id)?, phone::parse_delete_contact_rule)
    }

    /// Every phone rule of the organization (admin-only).
    pub fn list_org(&self, params: &ListOrgPhoneContactRulesParams) -> Result<Vec<PhoneContactRule>> {
        self.client.execute(phone::build_list_org_contact_rules(params)?, phone::parse_list_org_contact_rules)
    }
}
