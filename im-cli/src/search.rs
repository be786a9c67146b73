//! Local message search as both the demo and the chat client run it: the
//! keywords (any, or all), one page of 50, and the hits flattened with the
//! match ranges the SDK gives for each.

use im_model::message::{Message, MessageSearchParam, SearchMatchRange};
use im_model::{ConvId, ConvType, ImResult, KeywordMatchType};
use im_sdk::Client;

/// How many hits one search shows.
const PAGE: u32 = 50;

/// One search hit.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Its conversation.
    pub conv: ConvId,
    /// The message.
    pub message: Message,
    /// Where the keywords matched in its text.
    pub ranges: Vec<SearchMatchRange>,
}

/// What a search found: the hits of the first page and how many in all.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The hits, conversation by conversation.
    pub hits: Vec<Hit>,
    /// How many messages matched in all.
    pub total: u32,
}

/// Searches the client's local messages for `keywords`: every one of them
/// when `all`, else any.
///
/// # Errors
/// As the SDK's `search_local_messages` (6017 for no keywords).
pub async fn local(client: &Client, keywords: Vec<String>, all: bool) -> ImResult<Found> {
    let param = MessageSearchParam {
        keyword_array: Some(keywords),
        keyword_list_match_type: Some(if all {
            KeywordMatchType::And
        } else {
            KeywordMatchType::Or
        }),
        page_index: Some(0),
        page_size: Some(PAGE),
        ..MessageSearchParam::default()
    };
    let result = client.messages().search_local_messages(&param).await?;
    let mut found = Found {
        hits: Vec::new(),
        total: result.total_count.unwrap_or(0),
    };
    for item in result.item_array.unwrap_or_default() {
        let conv_type = item.conv_type.unwrap_or(ConvType::C2C);
        let Ok(conv) = ConvId::new(conv_type, item.conv_id.clone().unwrap_or_default()) else {
            tracing::warn!(conv = ?item.conv_id, "a search result names no valid conversation");
            continue;
        };
        // One range list per message, in the same order.
        let mut ranges = item.match_range_array.unwrap_or_default().into_iter();
        for message in item.message_array.unwrap_or_default() {
            found.hits.push(Hit {
                conv: conv.clone(),
                message,
                ranges: ranges.next().unwrap_or_default(),
            });
        }
    }
    Ok(found)
}
