//! Field shapes that Tencent's headers and its wrappers disagree on.
//!
//! A few keys are declared with one JSON type in the headers and sent with
//! another by some wrappers or server versions. Refusing the whole message
//! over one such field would lose it, so these types accept every form seen
//! and write back the form they were given.

use serde::{Deserialize, Serialize};

/// A flag that arrives as a JSON bool or as a string
/// (`group_member_info_is_online`: a string in the headers, a bool from
/// some wrappers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BoolOrString {
    /// Sent as a JSON bool.
    Bool(bool),
    /// Sent as a string (`"true"`, `"1"`, ...).
    Text(String),
}

impl BoolOrString {
    /// The flag: a bool as it is; a string is true when it reads `true`
    /// (any case) or a non-zero number.
    pub fn as_bool(&self) -> bool {
        match self {
            BoolOrString::Bool(b) => *b,
            BoolOrString::Text(s) => {
                let s = s.trim();
                s.eq_ignore_ascii_case("true") || s.parse::<i64>().is_ok_and(|n| n != 0)
            }
        }
    }
}

/// A list that some senders write as a single object
/// (`group_tips_elem_pinned_message_list`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// Sent as an array.
    Many(Vec<T>),
    /// Sent as one object.
    One(T),
}

impl<T> OneOrMany<T> {
    /// The items, whichever form they came in.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::Many(items) => items,
            OneOrMany::One(item) => std::slice::from_ref(item),
        }
    }
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_bool_or_string_reads_both_forms_and_writes_back_the_given_one() {
        for (json, flag) in [
            ("true", true),
            ("false", false),
            ("\"true\"", true),
            ("\"1\"", true),
            ("\"0\"", false),
            ("\"\"", false),
        ] {
            let value: BoolOrString = serde_json::from_str(json).unwrap();
            assert_eq!(value.as_bool(), flag, "{json}");
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
        }
    }

    #[test]
    fn test_one_or_many_reads_both_forms_and_writes_back_the_given_one() {
        let one: OneOrMany<u32> = serde_json::from_str("7").unwrap();
        assert_eq!(one.as_slice(), &[7]);
        assert_eq!(serde_json::to_string(&one).unwrap(), "7");
        let many: OneOrMany<u32> = serde_json::from_str("[1,2]").unwrap();
        assert_eq!(many.as_slice(), &[1, 2]);
        assert_eq!(serde_json::to_string(&many).unwrap(), "[1,2]");
    }
}
