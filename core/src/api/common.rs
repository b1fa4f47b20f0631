//! Types and serde helpers shared by several resource families.

use serde::{Deserialize, Deserializer, Serialize};

use super::wire_enum;

wire_enum! {
    /// A channel's contact filter mode (mailboxes, phone numbers, iMessage).
    #[derive(Default)]
    pub enum FilterMode {
        /// Deliver only traffic matching an `allow` rule.
        Whitelist = "whitelist",
        /// Deliver everything except traffic matching a `block` rule (the
        /// default, and what an absent or null value means).
        #[default]
        Blacklist = "blacklist",
    }
}

wire_enum! {
    /// The action of a contact rule.
    pub enum RuleAction {
        /// Let matching traffic through.
        Allow = "allow",
        /// Stop matching traffic.
        Block = "block",
    }
}

/// Sent back by a PATCH that actually changed a filter mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterModeChangeNotice {
    /// The mode now in force.
    pub new_filter_mode: FilterMode,
    /// The rule action made redundant by the switch (`block` after switching
    /// to whitelist, `allow` after switching to blacklist).
    pub redundant_rule_action: RuleAction,
    /// How many active rules have that action (0 = nothing to clean up).
    #[serde(default)]
    pub redundant_rule_count: u64,
}

/// Deserializes `null` as the type's default (pair with `#[serde(default)]`
/// so that an absent key is the default too).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `true` for a canonical 8-4-4-4-12 hex UUID (either case).
pub fn is_uuid(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
