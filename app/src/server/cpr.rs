//! Looking people up in the CPR register, as the server functions see it.
//! The server provides the register's client (SF1520 through Serviceplatformen
//! today; Datafordeler's REST service could be another).

use crate::domain::cpr::{CprNumber, CprPerson};
use async_trait::async_trait;

/// Why a lookup gave no person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The register has nobody by that number.
    NotFound,
    /// The register refused the request (a `ServiceplatformFault`): the
    /// agreement, the municipality's CVR or the number. Its code and text.
    Refused { code: String, text: String },
    /// No answer to rely on: no connection, a failed TLS handshake (a
    /// missing or untrusted certificate), an unreadable answer.
    Unavailable(String),
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound => write!(f, "not in the CPR register"),
            Self::Refused { code, text } => write!(f, "refused by the CPR service: {code} {text}"),
            Self::Unavailable(why) => write!(f, "CPR service unavailable: {why}"),
        }
    }
}

#[async_trait]
pub trait PersonRegister: Send + Sync {
    /// The person with `number`, as the register has them today.
    async fn look_up(&self, number: &CprNumber) -> Result<CprPerson, LookupError>;
}
