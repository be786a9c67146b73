//! Declarative helpers that keep the wire types short and uniform.

/// Declares a Tencent JSON object: every field is optional, renamed to its
/// exact Tencent key, omitted from output when absent, and tolerant of
/// `null`. Keeping presence (instead of defaulting) is what lets a parsed
/// object re-serialize to exactly the keys it came with; keys this version
/// does not declare are kept too (`unknown_keys`), so an object an app or a
/// newer server hands in comes back with every key it had.
macro_rules! tim_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $key:literal => $field:ident : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[serde(rename = $key, default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Keys this version does not declare, with their values as they came.
            #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
            pub unknown_keys: serde_json::Map<String, serde_json::Value>,
        }

        impl $name {
            /// Every Tencent JSON key of this object, in declaration order.
            pub const JSON_KEYS: &'static [&'static str] = &[$($key),*];
        }
    };
}

/// Declares a Tencent enum whose JSON form is its number.
///
/// A number this version does not know is kept as `Unknown(n)` and written
/// back unchanged, so one newer value from a peer or a newer server never
/// makes the object holding it unparseable; code that needs a known value
/// checks for it where the value is used. A JSON value that is not a number
/// of the enum's width is still an error naming the enum.
macro_rules! tim_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $repr:ty {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal => $tim:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("Tencent name: `", $tim, "` (", stringify!($value), ").")]
                $variant,
            )*
            /// A number this version does not know, kept as it came.
            Unknown($repr),
        }

        impl $name {
            /// Every known value, in numeric order of declaration.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The Tencent numeric value.
            pub const fn value(self) -> $repr {
                match self {
                    $($name::$variant => $value,)*
                    $name::Unknown(raw) => raw,
                }
            }

            /// The Tencent constant name (for logs and generated headers);
            /// `"unknown"` for a number this version does not know.
            pub const fn tencent_name(self) -> &'static str {
                match self {
                    $($name::$variant => $tim,)*
                    $name::Unknown(_) => "unknown",
                }
            }

            /// Maps a Tencent number to a known value; `None` when this
            /// version does not know it.
            pub fn from_value(value: i64) -> Option<Self> {
                match value {
                    $(v if v == $value as i64 => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// Whether this is a value this version knows.
            pub const fn is_known(self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value() as i64)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = i64::deserialize(deserializer)?;
                if let Some(known) = $name::from_value(raw) {
                    return Ok(known);
                }
                <$repr>::try_from(raw).map($name::Unknown).map_err(|_| {
                    serde::de::Error::custom(format_args!(
                        concat!(stringify!($name), " value {} is out of range"),
                        raw
                    ))
                })
            }
        }
    };
}
