//! Local message search (`TIMMsgSearchLocalMessages`).
//!
//! The matching rule is [`im_store::search`]'s, identical on every backend.
//! This module validates the parameters and shapes Tencent's result:
//!
//! * one conversation: `total_count` is the number of matching messages and
//!   the single item holds the requested page of them, newest first;
//! * all conversations: `total_count` is the number of conversations with
//!   matches, items are paged by conversation (newest match first), and an
//!   item holds its one message only when exactly one matched (Tencent's rule);
//! * `page_size` 0 returns everything; a larger one than
//!   [`im_model::limits::MAX_SEARCH_PAGE`] is served as that many; pages
//!   never repeat or skip a result.
//!
//! Beyond Tencent, each item carries `msg_search_result_item_match_range_array`:
//! for each returned message, where the keywords matched (UTF-8 and UTF-16
//! offsets into the field's original text).

use std::collections::BTreeSet;

use im_model::limits::{MAX_SEARCH_KEYWORDS, MAX_SEARCH_PAGE, MAX_SEARCH_SENDERS};
use im_model::message::{
    Message, MessageSearchParam, MessageSearchResult, MessageSearchResultItem, SearchMatchRange,
};
use im_model::{ConvId, ConvType, ImError, ImResult, KeywordMatchType};
use im_store::SearchQuery;
use im_store::search::{default_search_types, normalize, searchable_fields};

use crate::service::MessageService;

impl MessageService {
    /// Searches stored messages.
    ///
    /// # Errors
    /// 6017 for more than 5 keywords or senders, an empty normalized
    /// keyword, no keyword together with no sender and no type, or an
    /// invalid conversation id.
    pub fn search_local_messages(
        &self,
        param: &MessageSearchParam,
    ) -> ImResult<MessageSearchResult> {
        let query = self.search_query(param)?;
        // A page size is clamped, never trusted to size anything.
        let page_size = param.page_size.unwrap_or(0).min(MAX_SEARCH_PAGE) as usize;
        let (offset, limit) = if page_size == 0 {
            (0, usize::MAX)
        } else {
            (
                (param.page_index.unwrap_or(0) as usize).saturating_mul(page_size),
                page_size,
            )
        };
        let (total, items) = match &query.conv {
            Some(conv) => {
                let (total, hits) = self.store.search_messages(&query, offset, limit)?;
                let messages: Vec<Message> = hits.into_iter().map(|(_, m)| m).collect();
                let messages = self.as_shown(conv, messages)?;
                (total, vec![item(conv, total, messages, &query)])
            }
            None => {
                let (total, convs) = self.store.search_conversations(&query, offset, limit)?;
                let mut items = Vec::new();
                for hits in convs {
                    let messages = if hits.count == 1 {
                        self.as_shown(&hits.conv, vec![hits.newest])?
                    } else {
                        Vec::new()
                    };
                    items.push(item(&hits.conv, hits.count, messages, &query));
                }
                (total, items)
            }
        };
        Ok(MessageSearchResult {
            total_count: Some(u32::try_from(total).unwrap_or(u32::MAX)),
            item_array: Some(items),
            search_cursor: None,
            ..MessageSearchResult::default()
        })
    }

    fn search_query(&self, param: &MessageSearchParam) -> ImResult<SearchQuery> {
        let raw_keywords = param.keyword_array.clone().unwrap_or_default();
        if raw_keywords.len() > MAX_SEARCH_KEYWORDS {
            return Err(ImError::invalid_param(format!(
                "{} keywords; at most {MAX_SEARCH_KEYWORDS} are allowed",
                raw_keywords.len()
            )));
        }
        let keywords: Vec<String> = raw_keywords.iter().map(|k| normalize(k)).collect();
        if keywords.iter().any(String::is_empty) {
            return Err(ImError::invalid_param("a keyword is empty"));
        }
        let senders = param.send_identifier_array.clone().unwrap_or_default();
        if senders.len() > MAX_SEARCH_SENDERS {
            return Err(ImError::invalid_param(format!(
                "{} senders; at most {MAX_SEARCH_SENDERS} are allowed",
                senders.len()
            )));
        }
        let types: BTreeSet<_> = param.message_type_array.iter().flatten().copied().collect();
        if keywords.is_empty() && senders.is_empty() && types.is_empty() {
            return Err(ImError::invalid_param(
                "give keywords, senders or message types to search for",
            ));
        }
        let conv = search_conv(param)?;
        let position = param.search_time_position.filter(|p| *p > 0);
        let period = param.search_time_period.filter(|p| *p > 0);
        let time_range = match (position, period) {
            (None, None) => None,
            (pos, period) => {
                let end = pos.unwrap_or_else(|| self.now());
                Some((period.map_or(0, |p| end.saturating_sub(p)), end))
            }
        };
        Ok(SearchQuery {
            keywords,
            match_all: param.keyword_list_match_type == Some(KeywordMatchType::And),
            senders,
            elem_types: if types.is_empty() {
                default_search_types()
            } else {
                types
            },
            conv,
            time_range,
        })
    }
}

/// The conversation to search: a prefixed id, or a raw id with its type
/// (Tencent's headers disagree on the form, so both are accepted);
/// `None` for all conversations.
fn search_conv(param: &MessageSearchParam) -> ImResult<Option<ConvId>> {
    let id = param.conv_id.as_deref().unwrap_or_default();
    let conv_type = param.conv_type.unwrap_or(ConvType::Invalid);
    if id.is_empty() {
        return Ok(None);
    }
    match conv_type {
        ConvType::C2C | ConvType::Group => {
            let prefixed = ConvId::parse_prefixed(id)
                .ok()
                .filter(|c| c.conv_type() == conv_type);
            match prefixed {
                Some(c) => Ok(Some(c)),
                None => ConvId::new(conv_type, id).map(Some),
            }
        }
        _ => ConvId::parse_prefixed(id).map(Some),
    }
}

/// One result item, with the match ranges of each message.
fn item(
    conv: &ConvId,
    count: u64,
    messages: Vec<Message>,
    query: &SearchQuery,
) -> MessageSearchResultItem {
    let ranges = messages.iter().map(|m| match_ranges(m, query)).collect();
    MessageSearchResultItem {
        conv_id: Some(conv.peer().to_owned()),
        conv_type: Some(conv.conv_type()),
        total_message_count: Some(u32::try_from(count).unwrap_or(u32::MAX)),
        message_array: Some(messages),
        match_range_array: Some(ranges),
        ..MessageSearchResultItem::default()
    }
}

/// Where the query's keywords matched in `message`.
fn match_ranges(message: &Message, query: &SearchQuery) -> Vec<SearchMatchRange> {
    let fields = searchable_fields(message);
    query
        .keyword_ranges(message)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| {
            let text = fields
                .iter()
                .filter(|f| f.elem_index == r.elem_index && f.key == r.key)
                .nth(r.item_index)?
                .text;
            let utf16 = |byte: usize| text.get(..byte).map(|s| s.encode_utf16().count());
            Some(SearchMatchRange {
                elem_index: u32::try_from(r.elem_index).ok(),
                key: Some(r.key.to_owned()),
                item_index: u32::try_from(r.item_index).ok(),
                start: u32::try_from(r.start).ok(),
                end: u32::try_from(r.end).ok(),
                utf16_start: utf16(r.start).and_then(|n| u32::try_from(n).ok()),
                utf16_end: utf16(r.end).and_then(|n| u32::try_from(n).ok()),
                ..SearchMatchRange::default()
            })
        })
        .collect()
}
