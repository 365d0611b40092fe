use crate::domain::FieldError;
use crate::ports::blobs::BlobError;
use crate::ports::queue::QueueError;
use crate::ports::table::TableError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// The entity does not exist for this tenant (or belongs to another one).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is valid but clashes with the current state.
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A dependency failed; the request may succeed later.
    #[error("{0}")]
    Unavailable(String),
    /// A part of the deployment this request needs is not set up; names what would set it.
    #[error("{0}")]
    NotConfigured(String),
    /// The tenant has used up its calls of this kind for now.
    #[error("{limit}")]
    RateLimited {
        limit: String,
        retry_after_secs: u64,
    },
    /// The tenant's monthly credit limit has no room for this operation; names the limit.
    #[error("{0}")]
    PaymentRequired(String),
    /// Stored data is corrupt or an invariant broke: trying again cannot help.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError::Internal(detail.to_string())
    }

    /// Whether the same work may succeed if tried again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            AppError::Unavailable(_) | AppError::Conflict(_) | AppError::RateLimited { .. }
        )
    }
}

impl From<TableError> for AppError {
    fn from(e: TableError) -> Self {
        match e {
            TableError::InvalidCursor => {
                AppError::invalid("cursor", "does not belong to this list or its filters")
            }
            TableError::ConditionFailed | TableError::TransactionCancelled { .. } => {
                AppError::Conflict("the item changed while the request ran; try again".into())
            }
            TableError::Invalid(detail) => {
                AppError::Unavailable(format!("store rejected a write: {detail}"))
            }
            TableError::Unavailable(detail) => AppError::Unavailable(detail),
        }
    }
}

impl From<BlobError> for AppError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::NotFound(_) => AppError::NotFound("stored object"),
            BlobError::Unavailable(detail) => AppError::Unavailable(detail),
            BlobError::NotConfigured(variable) => AppError::NotConfigured(format!(
                "no object store is configured for this: set {variable}"
            )),
        }
    }
}

impl From<QueueError> for AppError {
    fn from(e: QueueError) -> Self {
        AppError::Unavailable(e.to_string())
    }
}
