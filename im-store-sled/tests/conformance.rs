//! The whole store conformance suite, including the differential property
//! test against `MemoryStore`, on sled databases in temporary directories.

fn make_store() -> im_store_sled::SledStore {
    im_store_sled::SledStore::open_temporary().expect("a temporary sled store")
}

im_store::store_conformance_tests!();
