//! Numbered schema migrations, version in `PRAGMA user_version`.

use im_store::{StoreError, StoreResult};
use rusqlite::Connection;

/// What one migration step does.
enum Step {
    /// Runs SQL.
    Sql(&'static str),
    /// Runs Rust over the rows, for derived data SQL cannot compute (the
    /// search text is normalized by `im_store::search`).
    Rust(fn(&rusqlite::Transaction<'_>) -> StoreResult<()>),
}

/// Every migration step, in order: (version it produces, what it does).
const STEPS: &[(u32, Step)] = &[
    (1, Step::Sql(include_str!("../migrations/001_initial.sql"))),
    (2, Step::Sql(include_str!("../migrations/002_settings.sql"))),
    (
        3,
        Step::Sql(include_str!("../migrations/003_char_counts.sql")),
    ),
    // 004: the search text of messages holding a line break or a
    // half-width voicing mark is indexed again (see NOTES.md).
    (4, Step::Rust(crate::legacy::v4_reindex_changed_search_text)),
    (
        5,
        Step::Sql(include_str!("../migrations/005_sending_index.sql")),
    ),
    // 006: gram postings replace the character table (SQL in
    // migrations/006_gram_postings.sql, then every message is indexed).
    (6, Step::Rust(crate::write::index_grams_of_all_messages)),
    // 007: the gram postings carry each message's conversation token
    // (SQL in migrations/007_conversation_tokens.sql, then every message
    // is indexed again).
    (7, Step::Rust(crate::write::index_grams_with_conversations)),
    (
        8,
        Step::Sql(include_str!("../migrations/008_merge_width.sql")),
    ),
];

/// The schema version this code writes.
pub const SCHEMA_VERSION: u32 = 8;

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

/// The database's schema version.
///
/// # Errors
/// A SQLite failure.
pub fn schema_version(conn: &Connection) -> StoreResult<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(backend)
}

/// Brings the schema up to `to` (the latest when `None`), one step per
/// transaction. A database newer than this code is refused untouched.
///
/// # Errors
/// [`StoreError::UnsupportedSchemaVersion`] for a newer database; a SQLite
/// failure (the failing step is rolled back; earlier steps stay).
pub fn migrate(conn: &mut Connection, to: Option<u32>) -> StoreResult<()> {
    let current = schema_version(conn)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::UnsupportedSchemaVersion {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    let target = to.unwrap_or(SCHEMA_VERSION).min(SCHEMA_VERSION);
    for (version, step) in STEPS {
        if *version <= current || *version > target {
            continue;
        }
        let tx = conn.transaction().map_err(backend)?;
        match step {
            Step::Sql(sql) => tx.execute_batch(sql).map_err(backend)?,
            Step::Rust(run) => run(&tx)?,
        }
        tx.pragma_update(None, "user_version", version)
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        tracing::info!(version, "applied schema migration");
    }
    Ok(())
}
