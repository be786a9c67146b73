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
    /// A batch the store refuses as it stands ([`StoreError::Invalid`]: a
    /// value no backend stores, such as a time past
    /// [`im_model::limits::MAX_TIME_SECS`]; [`StoreError::NotFound`] and
    /// [`StoreError::Conflict`]: it contradicts what is stored) is the
    /// caller's mistake and would be refused again: 6017. Everything else
    /// is a storage fault (`ERR_DATABASE_OPERATE_FAILED`, 6019), which a
    /// retry may get past. The sync loop relies on this split: it skips an
    /// event refused with 6017 and stops (to retry later) only on 6019.
    fn from(e: StoreError) -> Self {
        let code = match e {
            StoreError::Invalid(_) | StoreError::NotFound(_) | StoreError::Conflict(_) => {
                ErrorCode::InvalidParameters
            }
            _ => ErrorCode::DatabaseOperateFailed,
        };
        ImError::new(code, e.to_string())
    }
}
