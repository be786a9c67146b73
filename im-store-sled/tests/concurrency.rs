//! Readers beside the writer (the shared check
//! `im_store::conformance::concurrency`): reads that take several lookups
//! (a conversation's list entry, then its record) never see the store
//! between two of them change under them, and never half a batch.

use std::sync::Arc;

use im_store::conformance::concurrency::check_reads_during_writes;
use im_store_sled::SledStore;

#[test]
fn test_reads_run_while_the_writer_writes_and_see_whole_batches() {
    check_reads_during_writes(Arc::new(SledStore::open_temporary().unwrap()));
}
