//! Cursor paging of filtered conversation lists ("walks").
//!
//! # The rule
//!
//! A *walk* starts with `next_seq = 0` and continues with the `next_seq`
//! each page returns, under the same filter, until `is_finished`. Within
//! one walk:
//!
//! * every conversation that exists and is listed by the filter
//!   ([`im_store::ConvFilter::lists`]) for the whole walk is returned
//!   **exactly once**, however conversations change between page calls
//!   (new messages, pins, drafts, marks, unread);
//! * a conversation created, deleted, or entering or leaving the filter
//!   during the walk is returned **at most once**, and is returned if it
//!   is still listed when the walk reaches it;
//! * pages come in list order (pinned, then latest activity, then id,
//!   descending), except that conversations changed since the walk began
//!   come after all unchanged ones, in list order among themselves.
//!
//! # How
//!
//! Every write raises a conversation's `version` above every version that
//! existed before. A walk remembers the version watermark `W` of its
//! start. Conversations with `version <= W` have not moved since, so a
//! key-set cursor over them (the [`ListKey`] of the last one returned)
//! never skips or repeats. Conversations with `version > W` changed during
//! the walk; they are served after the unchanged ones. To avoid repeating
//! one that was returned *before* it changed, the write path tells every
//! live walk about each change (`WalkRegistry::on_change`), and the walk
//! records the ids it already returned among the changed ones.
//!
//! `next_seq` is an opaque handle to a walk state kept in memory: the 64
//! most recent pages are remembered (so a page can be retried with the same
//! `next_seq`), and an unknown or expired `next_seq` is an error telling
//! the app to start again from 0. Walks do not survive a restart.

use std::collections::{BTreeSet, VecDeque};

use im_model::{ConvId, ImError, ImResult};
use im_store::{
    ConvChange, ConvFilter, ConvQuery, Conversation, ConversationStore, ListKey, VersionRange,
};

/// How many page handles stay valid.
const LIVE_PAGES: usize = 64;

/// The state of one walk after a page.
#[derive(Debug, Clone)]
struct Walk {
    filter: ConvFilter,
    watermark: u64,
    /// Last unchanged conversation returned.
    cursor: Option<ListKey>,
    /// All unchanged conversations have been returned.
    unchanged_done: bool,
    /// Conversations returned that have (since) changed.
    returned_changed: BTreeSet<ConvId>,
}

impl Walk {
    fn has_returned(&self, before: &Conversation) -> bool {
        if before.version > self.watermark {
            return self.returned_changed.contains(&before.id);
        }
        self.filter.lists(before)
            && (self.unchanged_done
                || self
                    .cursor
                    .as_ref()
                    .is_some_and(|cursor| before.list_key() <= *cursor))
    }
}

/// One page of a walk.
#[derive(Debug)]
pub(crate) struct Page {
    pub conversations: Vec<Conversation>,
    pub next_seq: u64,
    pub is_finished: bool,
}

/// Live walks, keyed by the `next_seq` handles given out.
#[derive(Debug, Default)]
pub(crate) struct WalkRegistry {
    pages: VecDeque<(u64, Walk)>,
    last_handle: u64,
}

impl WalkRegistry {
    /// Produces the next page. `next_seq` 0 starts a walk at `watermark`.
    pub(crate) fn page(
        &mut self,
        store: &dyn ConversationStore,
        filter: &ConvFilter,
        next_seq: u64,
        count: usize,
        watermark: u64,
    ) -> ImResult<Page> {
        let mut walk = if next_seq == 0 {
            Walk {
                filter: filter.clone(),
                watermark,
                cursor: None,
                unchanged_done: false,
                returned_changed: BTreeSet::new(),
            }
        } else {
            let walk = self
                .pages
                .iter()
                .find(|(handle, _)| *handle == next_seq)
                .map(|(_, walk)| walk.clone())
                .ok_or_else(|| {
                    ImError::invalid_param(format!(
                        "next_seq {next_seq} is unknown or expired; start the list again from 0"
                    ))
                })?;
            if walk.filter != *filter {
                return Err(ImError::invalid_param(
                    "next_seq belongs to a walk with a different filter; start again from 0",
                ));
            }
            walk
        };

        let mut conversations = Vec::new();
        if !walk.unchanged_done {
            let mut unchanged = store.list_conversations(&ConvQuery {
                filter,
                after: walk.cursor.as_ref(),
                versions: VersionRange::AtMost(walk.watermark),
                limit: count + 1,
            })?;
            if unchanged.len() <= count {
                walk.unchanged_done = true;
            }
            unchanged.truncate(count);
            if let Some(last) = unchanged.last() {
                walk.cursor = Some(last.list_key());
            }
            conversations = unchanged;
        }
        let mut is_finished = false;
        if walk.unchanged_done {
            let changed: Vec<Conversation> = store
                .list_conversations(&ConvQuery {
                    filter,
                    after: None,
                    versions: VersionRange::Above(walk.watermark),
                    limit: usize::MAX,
                })?
                .into_iter()
                .filter(|c| !walk.returned_changed.contains(&c.id))
                .collect();
            let room = count - conversations.len();
            is_finished = changed.len() <= room;
            for conv in changed.into_iter().take(room) {
                walk.returned_changed.insert(conv.id.clone());
                conversations.push(conv);
            }
        }

        let next_seq = if is_finished {
            0
        } else {
            self.last_handle += 1;
            if self.pages.len() == LIVE_PAGES {
                self.pages.pop_front();
            }
            self.pages.push_back((self.last_handle, walk));
            self.last_handle
        };
        Ok(Page {
            conversations,
            next_seq,
            is_finished,
        })
    }

    /// Records committed changes in every live walk: a conversation that
    /// was already returned and now changed must not be returned again.
    pub(crate) fn on_change(&mut self, changes: &[ConvChange]) {
        for change in changes {
            let Some(before) = &change.before else {
                continue;
            };
            for (_, walk) in &mut self.pages {
                if walk.has_returned(before) {
                    walk.returned_changed.insert(before.id.clone());
                }
            }
        }
    }
}
