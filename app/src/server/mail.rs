//! Outgoing mail, as the server functions see it. The server provides the
//! implementation (SMTP, or the log when no SMTP server is configured).

use crate::domain::AppError;
use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// A stable Message-ID (`<…@host>`), so a repeat is recognisable.
    pub message_id: Option<String>,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: OutgoingMail) -> Result<(), AppError>;
}
