//! Connections to PostgreSQL: a bounded pool, the one place where the
//! store leaves the async runtime (every statement runs on one of the
//! pool's threads), and [`Tx`], the transaction every store method runs in.
//!
//! A write runs as a re-runnable closure: when its transaction loses a
//! race that PostgreSQL reports as retryable (a deadlock, a serialization
//! failure, a unique index another writer filled first), or its
//! connection dies before the commit, it runs again from the start on a
//! fresh transaction, a few times with a jittered pause. A connection that
//! dies during the commit is not retried: the commit may have happened,
//! so the caller gets `INTERNAL` (90994) and retries the call, which is
//! safe for sends (idempotent by message id).
//!
//! The sync `postgres` client runs its own small runtime per connection,
//! which tokio refuses to start inside its own threads (async workers and
//! the blocking pool alike): the pool's connections live on threads of
//! their own, as SQLite's writer does.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use im_model::{ImError, ImResult};
use postgres::error::SqlState;
use postgres::types::{FromSql, ToSql};
use postgres::{Client, IsolationLevel, NoTls, Row, Statement};
use tokio::sync::oneshot;

use crate::codes;

/// How many times a write whose transaction lost a race runs.
const ATTEMPTS: u32 = 8;

/// Statement parameters.
pub(super) type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

pub(super) fn db_error(e: impl std::fmt::Display) -> ImError {
    tracing::error!(error = %e, "database failure");
    codes::internal(e)
}

/// One connection with its prepared statements (prepared once per
/// connection, by their text).
pub(super) struct Conn {
    client: Client,
    statements: RefCell<HashMap<String, Statement>>,
}

/// A job for a connection thread.
type Job = Box<dyn FnOnce(&Pool, &mut Option<Conn>) + Send>;

/// A bounded pool of connections to one database: `size` threads of our
/// own, each with at most one connection, taking jobs from one queue.
/// They are plain threads, not tokio's blocking pool, because the sync
/// client starts its own runtime, which tokio refuses inside its threads.
pub(super) struct Pool {
    config: postgres::Config,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    size: usize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Pool {
    /// A pool of `size` connections to `url` (each connected on first use,
    /// and again after it broke).
    pub(super) fn new(url: &str, size: usize) -> ImResult<Arc<Pool>> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| codes::internal(format!("the database URL does not parse: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        config.application_name("im-server");
        let (sender, receiver) = mpsc::channel::<Job>();
        let pool = Arc::new(Pool {
            config,
            jobs: Mutex::new(Some(sender)),
            size,
        });
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..size {
            let (receiver, weak) = (receiver.clone(), Arc::downgrade(&pool));
            std::thread::Builder::new()
                .name(format!("im-server-pg-{n}"))
                .spawn(move || serve_jobs(&receiver, &weak))
                .map_err(db_error)?;
        }
        Ok(pool)
    }

    /// A new connection (on a connection thread).
    fn connect(&self) -> ImResult<Conn> {
        let client = self.config.connect(NoTls).map_err(db_error)?;
        Ok(Conn {
            client,
            statements: RefCell::new(HashMap::new()),
        })
    }

    /// Runs `f` on a connection thread with its connection (connected
    /// first when it has none or it broke).
    pub(super) async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> ImResult<R> + Send + 'static,
    ) -> ImResult<R> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |pool, slot| {
            if slot.as_ref().is_some_and(|c| c.client.is_closed()) {
                *slot = None;
            }
            let outcome = match slot {
                Some(conn) => f(conn),
                None => match pool.connect() {
                    Ok(conn) => f(slot.insert(conn)),
                    Err(e) => Err(e),
                },
            };
            // The caller may have gone (cancelled); the work stands.
            let _ = reply.send(outcome);
        });
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .ok_or_else(|| codes::internal("the store is closed"))?
            .send(job)
            .map_err(|_| codes::internal("the database threads stopped"))?;
        answer
            .await
            .map_err(|_| codes::internal("a database job was abandoned"))?
    }

    /// Refuses new calls; the threads finish the queued ones, close their
    /// connections and end.
    pub(super) fn close(&self) {
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

/// A connection thread: jobs until the queue closes or the pool is gone.
fn serve_jobs(jobs: &Mutex<mpsc::Receiver<Job>>, pool: &std::sync::Weak<Pool>) {
    let mut conn: Option<Conn> = None;
    loop {
        let job = match jobs.lock().unwrap_or_else(PoisonError::into_inner).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        let Some(pool) = pool.upgrade() else {
            return;
        };
        // A job that panics loses its connection, not the thread.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&pool, &mut conn)));
        if ran.is_err() {
            tracing::error!("a database job panicked; its connection is dropped");
            conn = None;
        }
    }
}

/// Runs `f` in a read-write transaction, again on a retryable failure.
pub(super) fn write<R>(conn: &mut Conn, f: &dyn Fn(&Tx<'_>) -> ImResult<R>) -> ImResult<R> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = in_transaction(conn, IsolationLevel::ReadCommitted, false, f);
        match outcome {
            Err(Failure::Retry(e)) if attempt < ATTEMPTS => {
                tracing::debug!(attempt, error = %e, "a transaction lost a race; running it again");
                std::thread::sleep(backoff(attempt));
                if conn.client.is_closed() {
                    return Err(e);
                }
            }
            Err(Failure::Retry(e) | Failure::Final(e)) => return Err(e),
            Ok(r) => return Ok(r),
        }
    }
}

/// Runs `f` in a read-only transaction that sees one snapshot.
pub(super) fn read<R>(conn: &mut Conn, f: &dyn Fn(&Tx<'_>) -> ImResult<R>) -> ImResult<R> {
    match in_transaction(conn, IsolationLevel::RepeatableRead, true, f) {
        Ok(r) => Ok(r),
        Err(Failure::Retry(e) | Failure::Final(e)) => Err(e),
    }
}

enum Failure {
    Retry(ImError),
    Final(ImError),
}

fn in_transaction<R>(
    conn: &mut Conn,
    isolation: IsolationLevel,
    read_only: bool,
    f: &dyn Fn(&Tx<'_>) -> ImResult<R>,
) -> Result<R, Failure> {
    let Conn { client, statements } = conn;
    let tx = client
        .build_transaction()
        .isolation_level(isolation)
        .read_only(read_only)
        .start()
        .map_err(|e| classify(&e))?;
    let tx = Tx {
        tx: RefCell::new(tx),
        statements,
        retry: Cell::new(false),
    };
    match f(&tx) {
        Ok(r) => {
            let Tx { tx, .. } = tx;
            // A failed commit is not retried when the connection died: it
            // may have committed.
            tx.into_inner().commit().map_err(|e| {
                if e.is_closed() {
                    Failure::Final(db_error(e))
                } else {
                    classify(&e)
                }
            })?;
            Ok(r)
        }
        Err(e) => {
            let retry = tx.retry.get();
            let Tx { tx, .. } = tx;
            // Dropping the transaction rolls it back.
            drop(tx);
            Err(if retry {
                Failure::Retry(e)
            } else {
                Failure::Final(e)
            })
        }
    }
}

fn classify(e: &postgres::Error) -> Failure {
    let error = db_error(e);
    if retryable(e) {
        Failure::Retry(error)
    } else {
        Failure::Final(error)
    }
}

fn retryable(e: &postgres::Error) -> bool {
    e.is_closed()
        || e.code().is_some_and(|code| {
            *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        })
}

fn backoff(attempt: u32) -> Duration {
    let cap_ms = 2u64.saturating_pow(attempt.min(8)).min(200);
    Duration::from_millis(fastrand_below(cap_ms.max(1)) + 1)
}

/// A number below `n`, from the OS's randomness (a pause's jitter).
fn fastrand_below(n: u64) -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return n / 2;
    }
    u64::from_le_bytes(bytes) % n
}

/// The transaction a store method runs in. Its statements are prepared
/// once per connection; an error that means "run it again" is remembered,
/// so a closure that turned it into an [`ImError`] still gets retried.
pub(super) struct Tx<'a> {
    tx: RefCell<postgres::Transaction<'a>>,
    statements: &'a RefCell<HashMap<String, Statement>>,
    retry: Cell<bool>,
}

impl Tx<'_> {
    fn fail(&self, e: &postgres::Error) -> ImError {
        match classify(e) {
            Failure::Retry(error) => {
                self.retry.set(true);
                error
            }
            Failure::Final(error) => error,
        }
    }

    /// Gives up this attempt and asks for another (a race lost that no
    /// error code reports, such as a unique index filled by another
    /// writer).
    pub(super) fn retry(&self, why: &str) -> ImError {
        self.retry.set(true);
        codes::internal(why)
    }

    fn statement(&self, text: &str) -> ImResult<Statement> {
        if let Some(statement) = self.statements.borrow().get(text) {
            return Ok(statement.clone());
        }
        let statement = self
            .tx
            .borrow_mut()
            .prepare(text)
            .map_err(|e| self.fail(&e))?;
        self.statements
            .borrow_mut()
            .insert(text.to_owned(), statement.clone());
        Ok(statement)
    }

    /// Every row of a query.
    pub(super) fn query(&self, text: &str, params: Params<'_>) -> ImResult<Vec<Row>> {
        let statement = self.statement(text)?;
        self.tx
            .borrow_mut()
            .query(&statement, params)
            .map_err(|e| self.fail(&e))
    }

    /// At most one row.
    pub(super) fn query_opt(&self, text: &str, params: Params<'_>) -> ImResult<Option<Row>> {
        let statement = self.statement(text)?;
        self.tx
            .borrow_mut()
            .query_opt(&statement, params)
            .map_err(|e| self.fail(&e))
    }

    /// Exactly one row.
    pub(super) fn query_one(&self, text: &str, params: Params<'_>) -> ImResult<Row> {
        let statement = self.statement(text)?;
        self.tx
            .borrow_mut()
            .query_one(&statement, params)
            .map_err(|e| self.fail(&e))
    }

    /// Runs a statement; the rows it changed.
    pub(super) fn execute(&self, text: &str, params: Params<'_>) -> ImResult<u64> {
        let statement = self.statement(text)?;
        self.tx
            .borrow_mut()
            .execute(&statement, params)
            .map_err(|e| self.fail(&e))
    }

    /// Runs statements without parameters (schema changes).
    pub(super) fn batch(&self, text: &str) -> ImResult<()> {
        self.tx
            .borrow_mut()
            .batch_execute(text)
            .map_err(|e| self.fail(&e))
    }
}

/// Column `i` of `row`, or `INTERNAL` when it is not of that type (a
/// schema this code does not know): never a panic.
pub(super) fn col<'r, T: FromSql<'r>>(row: &'r Row, i: usize) -> ImResult<T> {
    row.try_get(i).map_err(db_error)
}

/// A number as PostgreSQL's `BIGINT` (saturating: the largest kept value).
pub(super) fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A `BIGINT` column as an unsigned number (negative ones are 0).
pub(super) fn unsigned(row: &Row, i: usize) -> ImResult<u64> {
    Ok(u64::try_from(col::<i64>(row, i)?).unwrap_or(0))
}
