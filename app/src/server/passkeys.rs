//! The WebAuthn ceremonies, as server functions see them. The server crate
//! implements this with webauthn-rs; the state between the two halves of a
//! ceremony is opaque text that is kept server-side.

use crate::domain::AppError;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

/// A verified new credential, ready to store.
#[derive(Debug, Clone)]
pub struct NewPasskey {
    pub credential_id: String,
    pub data: String,
}

pub trait PasskeyCeremonies: Send + Sync {
    /// Options for the browser and the state to keep. `existing` are the
    /// user's credential ids, so the same authenticator is not added twice.
    fn start_registration(
        &self,
        user_handle: &str,
        user_name: &str,
        display_name: &str,
        existing: &[String],
    ) -> Result<(CreationChallengeResponse, String), AppError>;

    fn finish_registration(
        &self,
        response: &RegisterPublicKeyCredential,
        state: &str,
    ) -> Result<NewPasskey, AppError>;

    /// Options for a sign-in where the browser offers the person's passkeys.
    fn start_authentication(&self) -> Result<(RequestChallengeResponse, String), AppError>;

    /// The credential id a sign-in response names.
    fn credential_id(&self, response: &PublicKeyCredential) -> String;

    /// Verifies the response against the stored credential; returns the
    /// credential data with its counter brought up to date.
    fn finish_authentication(
        &self,
        response: &PublicKeyCredential,
        state: &str,
        passkey: &str,
    ) -> Result<String, AppError>;
}
