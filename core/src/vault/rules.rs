//! Vault key (password) rules.

/// One vault key rule. [`check_vault_key`] reports the first one that fails,
/// in this (the reference's) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VaultKeyRule {
    /// At least [`VAULT_KEY_MIN_CHARS`] characters (Unicode code points).
    MinLength,
    /// At least one ASCII uppercase letter `A`–`Z`.
    Uppercase,
    /// At least one ASCII lowercase letter `a`–`z`.
    Lowercase,
    /// At least one ASCII digit `0`–`9`.
    Digit,
    /// At least one character outside `[A-Za-z0-9]` (any other code point,
    /// including non-ASCII letters and spaces).
    Special,
}

impl VaultKeyRule {
    /// All rules, in checking order.
    pub const ALL: [Self; 5] = [Self::MinLength, Self::Uppercase, Self::Lowercase, Self::Digit, Self::Special];

    /// The reference SDK's message for this rule.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::MinLength => "Vault key must be at least 16 characters",
            Self::Uppercase => "Vault key must contain at least one uppercase letter",
            Self::Lowercase => "Vault key must contain at least one lowercase letter",
            Self::Digit => "Vault key must contain at least one digit",
            Self::Special => "Vault key must contain at least one special character",
        }
    }

    /// A stable snake_case name (`min_length`, `uppercase`, `lowercase`,
    /// `digit`, `special`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MinLength => "min_length",
            Self::Uppercase => "uppercase",
            Self::Lowercase => "lowercase",
            Self::Digit => "digit",
            Self::Special => "special",
        }
    }
}

/// Minimum vault key length in Unicode code points (Python `len(str)`).
pub const VAULT_KEY_MIN_CHARS: usize = 16;

/// Checks a *new* vault key (at initialization or when changing it) against
/// the rules, returning the first that fails. Not applied to recovery codes
/// or when unlocking with an existing key.
///
/// Matches the reference exactly: length counts code points (not bytes or
/// graphemes), the letter and digit classes are ASCII only, and any code
/// point outside `[A-Za-z0-9]` counts as special.
///
/// # Errors
/// [`VaultError::WeakVaultKey`](super::VaultError::WeakVaultKey) with the
/// failing rule.
pub fn check_vault_key(vault_key: &str) -> Result<(), super::VaultError> {
    let (mut chars, mut upper, mut lower, mut digit, mut special) = (0usize, false, false, false, false);
    for c in vault_key.chars() {
        chars += 1;
        match c {
            'A'..='Z' => upper = true,
            'a'..='z' => lower = true,
            '0'..='9' => digit = true,
            _ => special = true,
        }
    }
    let failed = if chars < VAULT_KEY_MIN_CHARS {
        Some(VaultKeyRule::MinLength)
    } else if !upper {
        Some(VaultKeyRule::Uppercase)
    } else if !lower {
        Some(VaultKeyRule::Lowercase)
    } else if !digit {
        Some(VaultKeyRule::Digit)
    } else if !special {
        Some(VaultKeyRule::Special)
    } else {
        None
    };
    match failed {
        Some(rule) => Err(super::VaultError::WeakVaultKey { rule }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::VaultError;

    #[test]
    fn rule_table() {
        use VaultKeyRule::*;
        let table: &[(&str, Option<VaultKeyRule>)] = &[
            ("Rapid-Horse-marq-97!", None),
            ("Exactly16chars!A", None),
            ("Fifteen-chars1A", Some(MinLength)),
            ("", Some(MinLength)),
            ("aA1!aA1!aA1!aA1", Some(MinLength)),
            ("alllowercase-123!", Some(Uppercase)),
            ("ALLUPPERCASE-123!", Some(Lowercase)),
            ("NoDigitsHere-abc!", Some(Digit)),
            ("NoSpecials1234567", Some(Special)),
            ("abcdefghijklmnO1 ", None),                // a space is special
            ("Abcdefghijklmn1\u{e9}", None),            // é is special, not lowercase
            ("abcdefghijklmn1\u{c9}", Some(Uppercase)), // É is not uppercase
            ("\u{c4}\u{d6}\u{dc}\u{c9}\u{c8}-\u{fc}n\u{ef}c\u{f8}d\u{e9}-12", Some(Uppercase)),
            ("\u{dc}n\u{ef}c\u{f8}d\u{e9}-\u{c4}\u{d6}\u{dc}-123", Some(MinLength)), // 15 code points, 22 bytes
            ("Abcdefghijklmn1\u{ff11}", None), // fullwidth digit is special, not a digit
            ("ABCDEFGHIJKLMNa\u{ff11}!", Some(Digit)),
            ("Passw\u{f6}rd-1234567\u{1f600}", None),
        ];
        for (key, expected) in table {
            let got = check_vault_key(key);
            match expected {
                None => assert_eq!(got, Ok(()), "{key:?}"),
                Some(rule) => assert_eq!(got, Err(VaultError::WeakVaultKey { rule: *rule }), "{key:?}"),
            }
        }
    }

    #[test]
    fn messages_match_reference() {
        assert_eq!(VaultKeyRule::MinLength.message(), "Vault key must be at least 16 characters");
        for rule in VaultKeyRule::ALL {
            assert!(rule.message().starts_with("Vault key must"));
        }
    }
}
