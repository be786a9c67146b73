//! Numbered schema migrations, version in `PRAGMA user_version`.

use im_store::{StoreError, StoreResult};
use rusqlite::Connection;

/// Every migration step, in order: (version it produces, SQL).
const STEPS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/001_initial.sql")),
    (2, include_str!("../migrations/002_settings.sql")),
    (3, include_str!("../migrations/003_char_counts.sql")),
];

/// The schema version this code writes.
pub const SCHEMA_VERSION: u32 = 3;

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
    for (version, sql) in STEPS {
        if *version <= current || *version > target {
            continue;
        }
        let tx = conn.transaction().map_err(backend)?;
        tx.execute_batch(sql).map_err(backend)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        tracing::info!(version, "applied schema migration");
    }
    Ok(())
}
