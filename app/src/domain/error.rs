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

    /// The error as JSON, with the words of its keys in the reader's
    /// language beside them (`text`, and `label` for the field): the
    /// browser's islands carry no translation tables.
    #[cfg(feature = "ssr")]
    fn ser(&self) -> leptos::server_fn::Bytes {
        let locale = crate::request_locale();
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let inner = value
            .as_object_mut()
            .and_then(|variant| variant.values_mut().next())
            .and_then(serde_json::Value::as_object_mut);
        if let Some(inner) = inner {
            let text = crate::i18n::translate(locale, self.message_key());
            inner.insert("text".into(), text.into());
            if let AppError::Invalid { field, .. } = self {
                let label = crate::i18n::translate(locale, &format!("field.{field}"));
                inner.insert("label".into(), label.into());
            }
        }
        serde_json::to_vec(&value).unwrap_or_default().into()
    }

    /// Reads an error the server sent and keeps the words that came with
    /// it, so `t()` finds them when the error is shown.
    #[cfg(feature = "hydrate")]
    fn de(data: leptos::server_fn::Bytes) -> Self {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&data) else {
            return AppError::Server;
        };
        let inner = value
            .as_object()
            .and_then(|variant| variant.values().next())
            .and_then(serde_json::Value::as_object);
        if let Some(inner) = inner {
            let text = |name: &str| inner.get(name).and_then(serde_json::Value::as_str);
            if let (Some(key), Some(words)) = (text("key"), text("text")) {
                crate::i18n::hand_over(key, words);
            }
            if let (Some(field), Some(label)) = (text("field"), text("label")) {
                crate::i18n::hand_over(&format!("field.{field}"), label);
            }
        }
        serde_json::from_value(value).unwrap_or(AppError::Server)
    }
}

pub type AppResult<T> = Result<T, AppError>;
