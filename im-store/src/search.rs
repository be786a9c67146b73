//! Local message search: the matching rule, defined once.
//!
//! A keyword matches a message when, after normalization, it is a
//! substring of one of the message's searchable fields after the same
//! normalization. Every backend must return exactly what this module
//! decides; backends may use indexes to find candidates, but verify them
//! with [`SearchQuery::matches`].
//!
//! # Normalization
//!
//! Text is cut into segments, each a character with canonical combining
//! class 0 followed by its combining marks (and by half-width katakana
//! voicing marks U+FF9E/U+FF9F, which are not combining characters
//! themselves but become combining marks under NFKC, so `ﾃﾞｰﾀ` = `データ`). Each segment is put in Unicode
//! NFKC form and then case-folded (Unicode default case folding). So
//! full-width and half-width forms agree (`ＡＢＣ` = `abc`), upper and lower
//! case agree, and a precomposed letter equals its decomposed spelling.
//! Working per segment (instead of on the whole string) keeps a map from
//! every normalized byte back to the original text, which gives exact
//! highlight ranges; it differs from whole-string NFKC only for conjoining
//! Hangul jamo typed as separate letters, which modern input never produces.
//!
//! # Searchable fields
//!
//! Text elements; file names of file elements; the paths' file names of
//! image, sound and video elements; location descriptions; custom element
//! description and extension; merged-message title and abstracts.
//! Revoked and deleted messages never match.

use std::collections::BTreeSet;
use std::ops::Range;

use im_model::{ConvId, Elem, ElemType, Message, MsgStatus};

use crate::MessagePos;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;

/// Text after normalization, with a map back to the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedText {
    text: String,
    /// For each byte of `text`, the original byte range of its segment.
    origin: Vec<Range<usize>>,
}

impl NormalizedText {
    /// Normalizes `original`.
    pub fn new(original: &str) -> NormalizedText {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        for segment in segments(original) {
            let before = text.len();
            fold_segment(&original[segment.clone()], &mut text);
            origin.extend(std::iter::repeat_n(segment, text.len() - before));
        }
        NormalizedText { text, origin }
    }

    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Byte ranges in the *original* text of every non-overlapping
    /// occurrence of the normalized `needle`, left to right.
    pub fn find_all(&self, needle: &str) -> Vec<Range<usize>> {
        if needle.is_empty() {
            return Vec::new();
        }
        self.text
            .match_indices(needle)
            .map(|(start, m)| {
                let end = start + m.len();
                self.origin[start].start..self.origin[end - 1].end
            })
            .collect()
    }
}

/// Normalizes text the way search compares it (what
/// [`NormalizedText::new`] gives, without the map back to the original:
/// indexing every stored message calls this).
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for segment in segments(text) {
        fold_segment(&text[segment], &mut out);
    }
    out
}

/// Appends one segment in NFKC form, case-folded. A lone ASCII character
/// (most of most messages) is its own NFKC form and folds to its lower
/// case, so it skips the general path.
fn fold_segment(segment: &str, out: &mut String) {
    use caseless::Caseless;
    match segment.as_bytes() {
        [b] if b.is_ascii() => out.push(char::from(b.to_ascii_lowercase())),
        _ => out.extend(segment.chars().nfkc().default_case_fold()),
    }
}

/// Whether `c` belongs to the segment before it: a combining mark, or a
/// half-width voicing mark (U+FF9E, U+FF9F), which NFKC turns into the
/// combining U+3099/U+309A, so it must be normalized with its letter.
fn continues_segment(c: char) -> bool {
    canonical_combining_class(c) != 0 || matches!(c, '\u{FF9E}' | '\u{FF9F}')
}

/// Byte ranges of `text`'s segments: a starter and the marks that follow
/// it ([`continues_segment`]).
fn segments(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, first) = chars.next()?;
        let mut end = start + first.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if !continues_segment(c) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        Some(start..end)
    })
}

/// Where a searchable field is in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKind {
    /// `text_elem_content`.
    Text,
    /// `file_elem_file_name`, or the file name of a media path.
    FileName,
    /// `location_elem_desc`.
    LocationDesc,
    /// `custom_elem_desc`.
    CustomDesc,
    /// `custom_elem_ext`.
    CustomExt,
    /// `merge_elem_title`.
    MergeTitle,
    /// One of `merge_elem_abstract_array`.
    MergeAbstract,
}

impl FieldKind {
    /// The Tencent JSON key the field comes from (media file names report
    /// the path key they were taken from via [`SearchField::key`]).
    pub fn key(self) -> &'static str {
        match self {
            FieldKind::Text => "text_elem_content",
            FieldKind::FileName => "file_elem_file_name",
            FieldKind::LocationDesc => "location_elem_desc",
            FieldKind::CustomDesc => "custom_elem_desc",
            FieldKind::CustomExt => "custom_elem_ext",
            FieldKind::MergeTitle => "merge_elem_title",
            FieldKind::MergeAbstract => "merge_elem_abstract_array",
        }
    }
}

/// One searchable field of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchField<'a> {
    /// Index of the element in `message_elem_array`.
    pub elem_index: usize,
    /// What the field is.
    pub kind: FieldKind,
    /// The JSON key it was read from.
    pub key: &'static str,
    /// The field's text.
    pub text: &'a str,
}

/// The last path component (either separator), as a file name.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Every searchable field of `message`, in element order.
pub fn searchable_fields(message: &Message) -> Vec<SearchField<'_>> {
    let mut out = Vec::new();
    fn push<'a>(
        out: &mut Vec<SearchField<'a>>,
        elem_index: usize,
        kind: FieldKind,
        key: &'static str,
        text: Option<&'a str>,
    ) {
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            out.push(SearchField {
                elem_index,
                kind,
                key,
                text,
            });
        }
    }
    for (i, elem) in message.elems().iter().enumerate() {
        match elem {
            Elem::Text(e) => push(
                &mut out,
                i,
                FieldKind::Text,
                "text_elem_content",
                e.content.as_deref(),
            ),
            Elem::File(e) => {
                let name = e
                    .file_name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .or(e.file_path.as_deref().map(file_name));
                push(
                    &mut out,
                    i,
                    FieldKind::FileName,
                    "file_elem_file_name",
                    name,
                );
            }
            Elem::Image(e) => push(
                &mut out,
                i,
                FieldKind::FileName,
                "image_elem_orig_path",
                e.orig_path.as_deref().map(file_name),
            ),
            Elem::Sound(e) => push(
                &mut out,
                i,
                FieldKind::FileName,
                "sound_elem_file_path",
                e.file_path.as_deref().map(file_name),
            ),
            Elem::Video(e) => push(
                &mut out,
                i,
                FieldKind::FileName,
                "video_elem_video_path",
                e.video_path.as_deref().map(file_name),
            ),
            Elem::Location(e) => push(
                &mut out,
                i,
                FieldKind::LocationDesc,
                "location_elem_desc",
                e.desc.as_deref(),
            ),
            Elem::Custom(e) => {
                push(
                    &mut out,
                    i,
                    FieldKind::CustomDesc,
                    "custom_elem_desc",
                    e.desc.as_deref(),
                );
                push(
                    &mut out,
                    i,
                    FieldKind::CustomExt,
                    "custom_elem_ext",
                    e.ext.as_deref(),
                );
            }
            Elem::Merge(e) => {
                push(
                    &mut out,
                    i,
                    FieldKind::MergeTitle,
                    "merge_elem_title",
                    e.title.as_deref(),
                );
                for a in e.abstract_array.iter().flatten() {
                    push(
                        &mut out,
                        i,
                        FieldKind::MergeAbstract,
                        "merge_elem_abstract_array",
                        Some(a.as_str()),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

/// Element kinds that can be searched when a query names none
/// (Tencent: face and group tips are not searchable).
pub fn default_search_types() -> BTreeSet<ElemType> {
    [
        ElemType::Text,
        ElemType::Image,
        ElemType::Sound,
        ElemType::Custom,
        ElemType::File,
        ElemType::Location,
        ElemType::Video,
        ElemType::Merge,
    ]
    .into_iter()
    .collect()
}

/// The order of search results: newest message first ([`MessagePos`]
/// descending), then the larger conversation id. Every backend returns hits
/// in this order.
pub fn result_order(a: (&ConvId, &Message), b: (&ConvId, &Message)) -> std::cmp::Ordering {
    MessagePos::of(b.1)
        .cmp(&MessagePos::of(a.1))
        .then_with(|| b.0.cmp(a.0))
}

/// A validated local search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Normalized keywords (each non-empty); may be empty when senders or
    /// element kinds narrow the search instead.
    pub keywords: Vec<String>,
    /// All keywords must match (`And`) rather than any (`Or`).
    pub match_all: bool,
    /// Only messages from these senders (empty: anyone).
    pub senders: Vec<String>,
    /// Only messages with an element of these kinds.
    pub elem_types: BTreeSet<ElemType>,
    /// Only this conversation (`None`: all).
    pub conv: Option<ConvId>,
    /// Only messages whose time is in this closed range.
    pub time_range: Option<(u64, u64)>,
}

/// A matched range: which field, and the byte range in its original text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MatchedRange {
    /// Index of the element in `message_elem_array`.
    pub elem_index: usize,
    /// The JSON key of the field.
    pub key: &'static str,
    /// For merge abstracts: the index in `merge_elem_abstract_array`; else 0.
    pub item_index: usize,
    /// Start byte of the match in the field's original text.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
}

impl SearchQuery {
    /// Whether `message` (in `conv`) matches; the reference every backend
    /// reproduces. Revoked and deleted messages never match.
    pub fn matches(&self, conv: &ConvId, message: &Message) -> bool {
        self.scope_matches(conv, message) && self.keyword_ranges(message).is_some()
    }

    /// Every condition except keywords.
    pub fn scope_matches(&self, conv: &ConvId, message: &Message) -> bool {
        !matches!(
            message.status,
            Some(MsgStatus::Revoked | MsgStatus::Deleted)
        ) && self.conv.as_ref().is_none_or(|c| c == conv)
            && self
                .time_range
                .is_none_or(|(from, to)| (from..=to).contains(&message.timestamp()))
            && (self.senders.is_empty()
                || message
                    .sender
                    .as_ref()
                    .is_some_and(|s| self.senders.contains(s)))
            && message
                .elems()
                .iter()
                .any(|e| e.elem_type().is_some_and(|k| self.elem_types.contains(&k)))
    }

    /// Whether the query's scope is the default one: every conversation,
    /// sender and time, and the default element kinds. Then a message with
    /// any searchable text, neither revoked nor deleted, is in scope: a
    /// backend whose index holds only such messages needs to check the
    /// keywords alone ([`SearchQuery::keywords_hold_in`]).
    pub fn has_default_scope(&self) -> bool {
        self.conv.is_none()
            && self.senders.is_empty()
            && self.time_range.is_none()
            && self.elem_types == default_search_types()
    }

    /// The keyword condition on a message's normalized searchable fields
    /// (each [`NormalizedText::as_str`] of [`searchable_fields`]): the same
    /// verdict as [`SearchQuery::keyword_ranges`] gives on the message, for
    /// backends that keep the normalized text beside the message.
    pub fn keywords_hold_in<S: AsRef<str>>(&self, normalized_fields: &[S]) -> bool {
        let found = |keyword: &String| {
            normalized_fields
                .iter()
                .any(|f| f.as_ref().contains(keyword.as_str()))
        };
        if self.keywords.is_empty() {
            true
        } else if self.match_all {
            self.keywords.iter().all(found)
        } else {
            self.keywords.iter().any(found)
        }
    }

    /// The ranges the keywords matched in `message`, or `None` when the
    /// keyword condition fails. With no keywords, `Some(empty)`.
    pub fn keyword_ranges(&self, message: &Message) -> Option<Vec<MatchedRange>> {
        if self.keywords.is_empty() {
            return Some(Vec::new());
        }
        let fields = searchable_fields(message);
        let normalized: Vec<NormalizedText> =
            fields.iter().map(|f| NormalizedText::new(f.text)).collect();
        // Position of each merge abstract within its element's array.
        let item_indexes: Vec<usize> = fields
            .iter()
            .enumerate()
            .map(|(i, field)| {
                fields[..i]
                    .iter()
                    .filter(|f| {
                        field.kind == FieldKind::MergeAbstract
                            && f.elem_index == field.elem_index
                            && f.kind == FieldKind::MergeAbstract
                    })
                    .count()
            })
            .collect();
        let mut ranges = Vec::new();
        let mut matched_keywords = 0;
        for keyword in &self.keywords {
            let mut found = false;
            for ((field, text), item_index) in fields.iter().zip(&normalized).zip(&item_indexes) {
                for range in text.find_all(keyword) {
                    found = true;
                    ranges.push(MatchedRange {
                        elem_index: field.elem_index,
                        key: field.key,
                        item_index: *item_index,
                        start: range.start,
                        end: range.end,
                    });
                }
            }
            if found {
                matched_keywords += 1;
            }
        }
        let ok = if self.match_all {
            matched_keywords == self.keywords.len()
        } else {
            matched_keywords > 0
        };
        ranges.sort();
        ranges.dedup();
        ok.then_some(ranges)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_normalization_folds_width_and_case() {
        assert_eq!(normalize("ＡＢＣ abc ＡbＣ"), "abc abc abc");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("ｶﾀｶﾅ"), "カタカナ");
        assert_eq!(normalize("e\u{301}"), normalize("é"));
        assert_eq!(normalize("你好，世界"), "你好,世界");
    }

    #[test]
    fn test_ranges_point_into_the_original_text() {
        let text = NormalizedText::new("Hello ＷＯＲＬＤ 世界 world");
        let ranges = text.find_all(&normalize("world"));
        let original = "Hello ＷＯＲＬＤ 世界 world";
        let found: Vec<&str> = ranges.iter().map(|r| &original[r.clone()]).collect();
        assert_eq!(found, ["ＷＯＲＬＤ", "world"]);
        let cjk = NormalizedText::new(original).find_all("界");
        assert_eq!(&original[cjk[0].clone()], "界");
    }

    use proptest::prelude::*;

    /// Characters that stress normalization: CJK, kana (full and half
    /// width), Hangul, full-width Latin, mixed case, ß, combining accents.
    const ALPHABET: &[&str] = &[
        "中", "文", "你", "好", "会", "議", "カ", "ｶ", "タ", "ﾀ", "한", "국", "A", "a", "Ｂ", "b",
        "ｂ", "ß", "S", "s", "e", "\u{301}", "é", " ", "1", "１",
    ];

    fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(ALPHABET), min..max).prop_map(|v| v.concat())
    }

    proptest! {
        /// The allocation-free `normalize` equals the definition: each
        /// segment put in NFKC form, then case-folded as a string, and the
        /// text `NormalizedText` keeps.
        #[test]
        fn test_normalize_equals_the_per_segment_definition(
            haystack in prop_oneof![text(0, 24), any::<String>()],
        ) {
            let defined: String = segments(&haystack)
                .map(|r| caseless::default_case_fold_str(&haystack[r].nfkc().collect::<String>()))
                .collect();
            let normalized = normalize(&haystack);
            prop_assert_eq!(&normalized, &defined);
            let kept = NormalizedText::new(&haystack);
            prop_assert_eq!(kept.as_str(), defined.as_str());
        }

        #[test]
        fn test_reference_equals_naive_normalize_and_substring(
            haystack in text(0, 24),
            needle in text(1, 3),
        ) {
            let keyword = normalize(&needle);
            prop_assume!(!keyword.is_empty());
            let normalized = NormalizedText::new(&haystack);
            let ranges = normalized.find_all(&keyword);
            prop_assert_eq!(!ranges.is_empty(), normalize(&haystack).contains(&keyword));
            for r in ranges {
                prop_assert!(normalize(&haystack[r.clone()]).contains(&keyword),
                    "range {:?} of {:?} does not hold {:?}", r, haystack, keyword);
            }
        }

        #[test]
        fn test_query_matches_like_naive_check(
            texts in prop::collection::vec(text(0, 16), 1..3),
            needles in prop::collection::vec(text(1, 3), 1..3),
            match_all in any::<bool>(),
        ) {
            let keywords: Vec<String> = needles.iter().map(|n| normalize(n)).filter(|k| !k.is_empty()).collect();
            prop_assume!(!keywords.is_empty());
            let message = Message {
                elem_array: Some(texts.iter().map(|t| Elem::Text(im_model::message::TextElem { content: Some(t.clone()), ..im_model::message::TextElem::default() })).collect()),
                ..Message::default()
            };
            let conv = ConvId::c2c("x").unwrap();
            let query = SearchQuery {
                keywords: keywords.clone(),
                match_all,
                senders: Vec::new(),
                elem_types: default_search_types(),
                conv: None,
                time_range: None,
            };
            let hit = |k: &String| texts.iter().any(|t| normalize(t).contains(k.as_str()));
            let naive = if match_all { keywords.iter().all(hit) } else { keywords.iter().any(hit) };
            prop_assert_eq!(query.matches(&conv, &message), naive);
        }
    }

    #[test]
    fn test_keywords_hold_in_agrees_with_keyword_ranges() {
        let messages = [
            Message::text("明天一起吃饭 Lunch"),
            Message::text("ﾊﾟﾝ and 会议纪要\nnext line"),
            Message::text(""),
        ];
        let keyword_sets: [&[&str]; 6] = [
            &["饭"],
            &["lunch", "会议"],
            &["パン"],
            &["要\nnext"],
            &["missing"],
            &["吃饭", "lunch"],
        ];
        for message in &messages {
            let fields: Vec<String> = searchable_fields(message)
                .iter()
                .map(|f| NormalizedText::new(f.text).as_str().to_owned())
                .collect();
            for keywords in keyword_sets {
                for match_all in [false, true] {
                    let query = SearchQuery {
                        keywords: keywords.iter().map(|k| normalize(k)).collect(),
                        match_all,
                        senders: Vec::new(),
                        elem_types: default_search_types(),
                        conv: None,
                        time_range: None,
                    };
                    assert!(query.has_default_scope());
                    assert_eq!(
                        query.keywords_hold_in(&fields),
                        query.keyword_ranges(message).is_some(),
                        "{keywords:?} all={match_all} in {message:?}"
                    );
                }
            }
        }
    }
}
