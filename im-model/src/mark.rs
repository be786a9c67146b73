//! Conversation marks: a 64-bit flag set (`TIMConversationMarkType`).
//!
//! Bits 0-3 are Tencent's built-in marks; bits 32-63 are free for apps;
//! bits 4-31 are reserved and rejected, so an app cannot collide with a
//! future built-in.

use crate::error::{ImError, ImResult};

bitflags::bitflags! {
    /// A set of conversation marks.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub struct MarkSet: u64 {
        /// `kTIMConversationMarkTypeStar` (0x1).
        const STAR = 1 << 0;
        /// `kTIMConversationMarkTypeUnread` (0x2): a display mark only; the
        /// real unread count is not changed by it.
        const UNREAD = 1 << 1;
        /// `kTIMConversationMarkTypeFold` (0x4).
        const FOLD = 1 << 2;
        /// `kTIMConversationMarkTypeHide` (0x8).
        const HIDE = 1 << 3;
        /// Bits 32-63, reserved for app-defined marks.
        const CUSTOM = 0xFFFF_FFFF_0000_0000;
    }
}

impl MarkSet {
    /// Bits an app may set: the built-ins and the custom range.
    pub const ALLOWED: MarkSet = MarkSet::STAR
        .union(MarkSet::UNREAD)
        .union(MarkSet::FOLD)
        .union(MarkSet::HIDE)
        .union(MarkSet::CUSTOM);

    /// Validates a raw `mark_type` given to a mark call: non-zero, and
    /// only built-in bits (0-3) or custom bits (32-63).
    ///
    /// # Errors
    /// `ERR_INVALID_PARAMETERS` naming the reserved bits, or for zero.
    pub fn from_request(raw: u64) -> ImResult<MarkSet> {
        if raw == 0 {
            return Err(ImError::invalid_param(
                "mark_type must set at least one mark bit",
            ));
        }
        let reserved = raw & !MarkSet::ALLOWED.bits();
        if reserved != 0 {
            return Err(ImError::invalid_param(format!(
                "mark_type {raw:#x} uses reserved bits {reserved:#x}; only bits 0-3 (built-in) \
                 and 32-63 (custom) are allowed"
            )));
        }
        Ok(MarkSet::from_bits_retain(raw))
    }

    /// Each set bit as its own value, lowest first: the form of `conv_mark_array`.
    pub fn single_marks(self) -> Vec<u64> {
        (0..64)
            .map(|bit| 1u64 << bit)
            .filter(|value| self.bits() & value != 0)
            .collect()
    }

    /// Rebuilds a set from `conv_mark_array` values.
    pub fn from_single_marks(values: &[u64]) -> MarkSet {
        MarkSet::from_bits_retain(values.iter().fold(0, |acc, v| acc | v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_builtin_values_match_tencent() {
        assert_eq!(MarkSet::STAR.bits(), 1);
        assert_eq!(MarkSet::UNREAD.bits(), 2);
        assert_eq!(MarkSet::FOLD.bits(), 4);
        assert_eq!(MarkSet::HIDE.bits(), 8);
    }

    #[test]
    fn test_request_validation_accepts_builtins_and_custom_bits_only() {
        assert_eq!(
            MarkSet::from_request(2 | (1 << 32)).unwrap().bits(),
            2 | (1 << 32)
        );
        assert_eq!(MarkSet::from_request(1 << 63).unwrap().bits(), 1 << 63);
        for bit in 4..32 {
            let err = MarkSet::from_request(1 << bit).unwrap_err();
            assert_eq!(err.code(), 6017, "bit {bit}");
        }
        assert_eq!(MarkSet::from_request(0).unwrap_err().code(), 6017);
    }

    #[test]
    fn test_single_marks_round_trip() {
        let set = MarkSet::STAR | MarkSet::HIDE | MarkSet::from_bits_retain(1 << 40);
        assert_eq!(set.single_marks(), vec![1, 8, 1 << 40]);
        assert_eq!(MarkSet::from_single_marks(&set.single_marks()), set);
        assert!(MarkSet::empty().single_marks().is_empty());
    }
}
