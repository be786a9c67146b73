//! The conformance suite every store backend runs.
//!
//! Each case is a `pub fn(&dyn Store)` written against the traits only, so
//! it cannot lean on a backend's internals. A backend crate runs them all
//! with one macro call in a test module that defines
//! `fn make_store() -> impl Store` (a fresh, isolated store per call):
//!
//! ```ignore
//! #[cfg(test)]
//! mod tests {
//!     fn make_store() -> MyStore { MyStore::open_temporary().unwrap() }
//!     im_store::store_conformance_tests!();
//! }
//! ```
//!
//! The macro generates one `#[test]` per case, so test runners report and
//! filter them one by one, plus the differential property test
//! ([`differential::check_against_memory_store`]) comparing the backend
//! with [`crate::MemoryStore`] on random operation sequences.

pub mod audit;
pub mod bench_data;
pub mod concurrency;
pub mod conversations;
pub mod crash;
pub mod differential;
pub mod fixtures;
pub mod groups;
pub mod messages;

pub use audit::*;
pub use conversations::*;
pub use groups::*;
pub use messages::*;

/// Names every conformance case, handing the list to the macro `$then`
/// (one list for [`store_conformance_tests!`] and [`CASES`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_case_names {
    ($then:path) => {
        $then!(
            test_conversation_round_trip,
            test_conversations_by_ids_keep_input_order,
            test_delete_conversation,
            test_list_order_and_cursor,
            test_list_version_ranges,
            test_filters_match_reference,
            test_hidden_conversations_are_listed_only_on_request,
            test_matching_conversations_include_hidden,
            test_unread_totals_match_reference,
            test_apply_reports_changes,
            test_max_version,
            test_group_create_rename_delete_keep_order,
            test_group_conflicts_write_nothing,
            test_group_named_by_conversation_must_exist,
            test_rename_group_with_members_in_one_batch,
            test_message_round_trip_and_lookup,
            test_history_pages,
            test_find_by_locator,
            test_count_unread,
            test_message_batches_are_atomic,
            test_delete_and_clear_messages,
            test_clear_spares_a_message_moved_in_the_same_batch,
            test_search_matches_reference,
            test_settings_round_trip,
            test_times_beyond_the_limit_are_refused,
            test_largest_times_keep_their_order,
            test_half_width_katakana_with_voicing_marks_is_found,
            test_keywords_with_a_line_break_match_on_every_backend,
            test_nearest_by_seq,
            test_sending_messages_are_the_send_queue,
            test_differential_against_memory_store,
        );
    };
}

/// Generates one `#[test]` per conformance case for a backend. The calling
/// module must define `fn make_store() -> impl im_store::Store`.
#[macro_export]
macro_rules! store_conformance_tests {
    () => {
        $crate::__store_conformance_case_names!($crate::__store_conformance_cases);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __store_conformance_cases {
    ($($case:ident),* $(,)?) => {
        mod store_conformance {
            $(
                #[test]
                fn $case() {
                    let store = super::make_store();
                    $crate::conformance::$case(&store);
                }
            )*
        }
    };
}

macro_rules! case_table {
    ($($case:ident),* $(,)?) => {
        /// Every conformance case with its name, for runners that cannot
        /// generate `#[test]`s: the browser worker runs them all on
        /// SQLite over OPFS this way.
        pub const CASES: &[(&str, fn(&dyn crate::Store))] = &[$((stringify!($case), $case)),*];
    };
}

__store_conformance_case_names!(case_table);

/// Runs the differential property test against `MemoryStore`, with the
/// store under test built by the caller's `make_store`.
pub fn test_differential_against_memory_store(store: &dyn crate::Store) {
    differential::check_against_memory_store(store);
}
