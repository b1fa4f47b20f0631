//! Wire enums that never fail on values they do not know.

/// Declares a string enum whose unknown wire values are kept in an
/// `Unknown(String)` variant instead of failing to parse, so a newer server
/// never breaks an older client.
#[allow(unused_macros)]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the SDK does not know, kept verbatim.
            Unknown(::alloc::string::String),
        }

        impl $name {
            /// Every known value, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Parses a wire value; unknown values become `Unknown`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(::alloc::string::String::from(other)),
                }
            }

            /// `true` unless this is an `Unknown` value.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl ::serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::from_wire(v))
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, unreachable_pub)]
    use alloc::string::ToString;

    wire_enum! {
        /// Test enum.
        pub enum Color {
            /// red
            Red = "red",
            /// dark blue
            DarkBlue = "dark_blue",
        }
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        let c: Color = serde_json::from_str("\"dark_blue\"").unwrap();
        assert_eq!(c, Color::DarkBlue);
        let u: Color = serde_json::from_str("\"ultraviolet\"").unwrap();
        assert_eq!(u, Color::Unknown("ultraviolet".into()));
        assert!(!u.is_known());
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"ultraviolet\"");
        assert_eq!(Color::Red.to_string(), "red");
        assert_eq!(Color::KNOWN.len(), 2);
        assert!(serde_json::from_str::<Color>("3").is_err());
    }
}
