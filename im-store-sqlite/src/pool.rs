//! Opening a database: pragmas, migrations, one writer and a reader pool.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use im_store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};

use crate::migrate::migrate;

/// Reader connections of a file database.
const READERS: usize = 3;

/// The SQLite store.
#[derive(Debug)]
pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::backend(e)
}

/// How a connection journals its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Journal {
    /// WAL with its index in shared memory: one writer and reader
    /// connections beside it.
    SharedWal,
    /// WAL with its index in the connection's own memory
    /// (`locking_mode=EXCLUSIVE`, set before WAL): for one connection on a
    /// file system without shared memory, such as OPFS. A commit appends
    /// to the WAL and syncs it once, where a rollback journal writes,
    /// syncs and deletes a journal file (on OPFS's sahpool, deleting
    /// rewrites the pool's slot header too).
    ExclusiveWal,
    /// As the file has it (readers, in-memory databases).
    AsIs,
}

fn set_pragmas(conn: &Connection, journal: Journal) -> StoreResult<()> {
    if journal != Journal::AsIs {
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(backend)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt {
                details: format!("journal_mode is {mode}, WAL was asked"),
            });
        }
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(backend)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(backend)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(backend)?;
    Ok(())
}

/// Page cache of the writer connection, in KiB. A message write touches
/// the end of its conversation's range in two indexes (history by time and
/// by sequence), so a batch of a thousand messages over many conversations
/// dirties a thousand scattered pages per index; with SQLite's default
/// 2 MiB the cache spills them to the WAL before the commit and reads them
/// back for the next batch. Readers keep the default: their pages are what
/// the UI looks at.
const WRITER_CACHE_KIB: u32 = 16 * 1024;

/// WAL pages written before an automatic checkpoint copies them into the
/// database (SQLite's default is 1,000). The same hot index pages are
/// written in batch after batch; checkpointing less often copies each
/// once per checkpoint instead of once per few batches.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Size the WAL file is cut back to after a checkpoint, in bytes, so a
/// burst of writes does not leave a large file behind.
const WAL_SIZE_LIMIT: u32 = 64 * 1024 * 1024;

/// The WAL checkpoint interval of the one-connection (browser) mode, in
/// pages: SQLite's default. Its WAL index lives in the connection's
/// memory, so a reopen after the worker was killed (a closed tab) reads
/// the whole WAL to rebuild it: a small WAL keeps the next start fast.
const EXCLUSIVE_WAL_AUTOCHECKPOINT_PAGES: u32 = 1_000;

fn set_writer_pragmas(conn: &Connection, journal: Journal) -> StoreResult<()> {
    conn.pragma_update(None, "cache_size", -i64::from(WRITER_CACHE_KIB))
        .map_err(backend)?;
    let checkpoint = if journal == Journal::ExclusiveWal {
        EXCLUSIVE_WAL_AUTOCHECKPOINT_PAGES
    } else {
        WAL_AUTOCHECKPOINT_PAGES
    };
    conn.pragma_update(None, "wal_autocheckpoint", checkpoint)
        .map_err(backend)?;
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)
        .map_err(backend)
}

/// Opens the writer connection of a database file: refuses a newer
/// schema, sets the pragmas (`journal`) and migrates.
fn open_writer(path: &Path, journal: Journal) -> StoreResult<Connection> {
    let mut writer = Connection::open(path).map_err(backend)?;
    if journal == Journal::ExclusiveWal {
        // Before the first read: a database already in WAL mode opens its
        // WAL on that read, and without shared memory only an exclusive
        // connection can (else SQLITE_CANTOPEN).
        writer
            .pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(backend)?;
    }
    // Refuse a newer database before anything (even the journal mode)
    // is written to it.
    let found = crate::migrate::schema_version(&writer)?;
    if found > crate::SCHEMA_VERSION {
        return Err(StoreError::UnsupportedSchemaVersion {
            found,
            supported: crate::SCHEMA_VERSION,
        });
    }
    set_pragmas(&writer, journal)?;
    set_writer_pragmas(&writer, journal)?;
    migrate(&mut writer, None)?;
    Ok(writer)
}

impl SqliteStore {
    /// Opens (creating when missing) a database file in WAL mode and
    /// brings its schema up to date.
    ///
    /// # Errors
    /// [`StoreError::UnsupportedSchemaVersion`] for a database written by
    /// newer code (left untouched); a SQLite failure.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<SqliteStore> {
        let path = path.as_ref();
        let writer = open_writer(path, Journal::SharedWal)?;
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(backend)?;
                set_pragmas(&reader, Journal::AsIs)?;
                Ok(Mutex::new(reader))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Opens (creating when missing) a database file through one
    /// connection that holds it exclusively, in WAL mode with the WAL's
    /// index in that connection's memory, and brings its schema up to
    /// date: for file systems where a database has one connection and no
    /// shared memory, such as a browser's OPFS (the sahpool VFS, which must
    /// be SQLite's default VFS by then). Commits are as durable and atomic
    /// as [`SqliteStore::open`]'s (`synchronous=FULL`: each commit syncs
    /// the WAL); reads wait for writes. No other connection, in this
    /// process or another, can open the file while the store is open.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub fn open_single_connection(path: impl AsRef<Path>) -> StoreResult<SqliteStore> {
        Ok(SqliteStore {
            writer: Mutex::new(open_writer(path.as_ref(), Journal::ExclusiveWal)?),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
        })
    }

    /// An in-memory database (one connection; nothing kept after drop).
    ///
    /// # Errors
    /// A SQLite failure.
    pub fn open_in_memory() -> StoreResult<SqliteStore> {
        let mut writer = Connection::open_in_memory().map_err(backend)?;
        set_pragmas(&writer, Journal::AsIs)?;
        migrate(&mut writer, None)?;
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
        })
    }

    /// The writer connection. A panic while holding it leaves no open
    /// transaction behind (rusqlite rolls back on drop), so a poisoned lock
    /// is still usable.
    pub(crate) fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection for reading: a free reader when there is one, else the
    /// next reader in turn (the writer for in-memory databases).
    pub(crate) fn reader(&self) -> MutexGuard<'_, Connection> {
        if self.readers.is_empty() {
            return self.writer();
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..self.readers.len() {
            if let Ok(conn) = self.readers[(start + i) % self.readers.len()].try_lock() {
                return conn;
            }
        }
        self.readers[start % self.readers.len()]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
