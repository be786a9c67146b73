//! Declarative helpers that keep the wire types short and uniform.

/// Declares a Tencent JSON object: every field is optional, renamed to its
/// exact Tencent key, omitted from output when absent, and tolerant of
/// `null`. Keeping presence (instead of defaulting) is what lets a parsed
/// object re-serialize to exactly the keys it came with.
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
        }

        impl $name {
            /// Every Tencent JSON key of this object, in declaration order.
            pub const JSON_KEYS: &'static [&'static str] = &[$($key),*];
        }
    };
}

/// Declares a C-style enum whose JSON form is its Tencent number.
/// Deserializing an unknown number is an error naming the enum, so a wrong
/// value is reported instead of being mapped to a default.
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
        #[repr($repr)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("Tencent name: `", $tim, "` (", stringify!($value), ").")]
                $variant = $value,
            )*
        }

        impl $name {
            /// Every value, in numeric order of declaration.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The Tencent numeric value.
            pub const fn value(self) -> $repr {
                self as $repr
            }

            /// The Tencent constant name (for logs and generated headers).
            pub const fn tencent_name(self) -> &'static str {
                match self {
                    $($name::$variant => $tim,)*
                }
            }

            /// Maps a Tencent number back to the enum; `None` when unknown.
            pub fn from_value(value: i64) -> Option<Self> {
                match value {
                    $(v if v == $value as i64 => Some($name::$variant),)*
                    _ => None,
                }
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
                $name::from_value(raw).ok_or_else(|| {
                    serde::de::Error::custom(format_args!(
                        concat!("unknown ", stringify!($name), " value {}"),
                        raw
                    ))
                })
            }
        }
    };
}
