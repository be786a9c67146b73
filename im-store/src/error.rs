//! Errors of storage operations.

use im_model::{ErrorCode, ImError};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A record an operation needs does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// An operation conflicts with existing data (e.g. a duplicate group name).
    #[error("conflict: {0}")]
    Conflict(String),
    /// An operation is malformed (e.g. a message without an id).
    #[error("invalid operation: {0}")]
    Invalid(String),
    /// Stored data could not be decoded.
    #[error("corrupt data: {details}")]
    Corrupt {
        /// What was wrong.
        details: String,
    },
    /// The database was written by a newer version of the code.
    #[error("database schema version {found} is newer than the supported {supported}")]
    UnsupportedSchemaVersion {
        /// Version found on disk.
        found: u32,
        /// Newest version this code knows.
        supported: u32,
    },
    /// The backend failed.
    #[error("storage backend error: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps a backend error.
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

/// Result of a storage operation.
pub type StoreResult<T> = Result<T, StoreError>;

impl From<StoreError> for ImError {
    /// Storage failures reach apps as `ERR_DATABASE_OPERATE_FAILED` (6019):
    /// logic crates check their preconditions before writing, so a store
    /// error that gets this far is a storage fault. The exception is
    /// [`StoreError::Invalid`], a value no backend stores (a time past
    /// [`im_model::limits::MAX_TIME_SECS`]), which is bad input: 6017.
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::Invalid(_) => ErrorCode::InvalidParameters,
            _ => ErrorCode::DatabaseOperateFailed,
        };
        ImError::new(code, e.to_string())
    }
}
