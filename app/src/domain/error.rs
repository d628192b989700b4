use serde::{Deserialize, Serialize};

/// The one error type every server function returns.
///
/// It carries locale keys, never prose, so the browser renders the message in
/// the reader's language. Internal causes are logged on the server and never
/// sent to the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session.
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// The thing does not exist (or the caller may not know it does).
    #[error("not found")]
    NotFound,
    /// A form field failed validation; `key` is a locale key for the reason.
    #[error("invalid {field}: {key}")]
    Invalid { field: String, key: String },
    /// A domain rule refused the change; `key` is a locale key, `arg` fills `{n}`.
    #[error("refused: {key}")]
    Refused { key: String, arg: Option<String> },
    /// Something went wrong on our side; details are in the server log.
    #[error("server error")]
    Server,
}

impl AppError {
    pub fn invalid(field: &str, key: &str) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            key: key.to_string(),
        }
    }

    pub fn refused(key: &str) -> Self {
        AppError::Refused {
            key: key.to_string(),
            arg: None,
        }
    }

    pub fn refused_with(key: &str, arg: impl ToString) -> Self {
        AppError::Refused {
            key: key.to_string(),
            arg: Some(arg.to_string()),
        }
    }

    /// The locale key of the main message.
    pub fn message_key(&self) -> &str {
        match self {
            AppError::Unauthenticated => "error.unauthenticated",
            AppError::Forbidden => "error.forbidden",
            AppError::NotFound => "error.not_found",
            AppError::Invalid { key, .. } => key,
            AppError::Refused { key, .. } => key,
            AppError::Server => "error.server",
        }
    }

    /// HTTP status a server function answers with when it fails this way.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Refused { .. } => 409,
            AppError::Server => 500,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // A form that could not even be decoded is the caller's fault.
            E::Args(_) | E::Deserialization(_) => AppError::invalid("form", "error.bad_request"),
            _ => AppError::Server,
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
