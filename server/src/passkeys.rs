//! Passkeys with webauthn-rs: the relying party is the public URL's host,
//! user verification is required, and ceremony state is serialised only to
//! be kept in the server's own database.

use app::domain::AppError;
use app::server::passkeys::{NewPasskey, PasskeyCeremonies};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use webauthn_rs::prelude::*;
use webauthn_rs_proto::ResidentKeyRequirement;

pub struct WebauthnCeremonies {
    webauthn: Webauthn,
}

impl WebauthnCeremonies {
    /// The relying party is the public URL: its host is the RP id (so it
    /// must be a name such as `localhost`, not an IP address).
    pub fn new(public_url: &str, name: &str) -> anyhow::Result<Self> {
        let origin = Url::parse(public_url)?;
        let rp_id = origin
            .host_str()
            .ok_or_else(|| anyhow::anyhow!("VALGVAGT_PUBLIC_URL has no host"))?
            .to_string();
        let webauthn = WebauthnBuilder::new(&rp_id, &origin)?
            .rp_name(name)
            .build()?;
        Ok(WebauthnCeremonies { webauthn })
    }
}

fn refused(error: WebauthnError) -> AppError {
    tracing::warn!(%error, "passkey ceremony refused");
    AppError::refused("passkeys.failed")
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "passkey state could not be handled");
    AppError::Server
}

fn encode_id(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl PasskeyCeremonies for WebauthnCeremonies {
    fn start_registration(
        &self,
        user_handle: &str,
        user_name: &str,
        display_name: &str,
        existing: &[String],
    ) -> Result<(CreationChallengeResponse, String), AppError> {
        let handle = Uuid::parse_str(user_handle).map_err(internal)?;
        let exclude: Vec<CredentialID> = existing
            .iter()
            .filter_map(|id| URL_SAFE_NO_PAD.decode(id).ok())
            .collect();
        let (mut options, state) = self
            .webauthn
            .start_passkey_registration(handle, user_name, display_name, Some(exclude))
            .map_err(refused)?;
        // Ask for a discoverable credential where the device can make one,
        // so people sign in later without typing anything.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Preferred);
        }
        let state = serde_json::to_string(&state).map_err(internal)?;
        Ok((options, state))
    }

    fn finish_registration(
        &self,
        response: &RegisterPublicKeyCredential,
        state: &str,
    ) -> Result<NewPasskey, AppError> {
        let state: PasskeyRegistration = serde_json::from_str(state).map_err(internal)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(response, &state)
            .map_err(refused)?;
        Ok(NewPasskey {
            credential_id: encode_id(passkey.cred_id().as_ref()),
            data: serde_json::to_string(&passkey).map_err(internal)?,
        })
    }

    fn start_authentication(&self) -> Result<(RequestChallengeResponse, String), AppError> {
        let (mut options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(refused)?;
        // A button press, not the autofill ("conditional") flow.
        options.mediation = None;
        let state = serde_json::to_string(&state).map_err(internal)?;
        Ok((options, state))
    }

    fn credential_id(&self, response: &PublicKeyCredential) -> String {
        encode_id(response.get_credential_id())
    }

    fn finish_authentication(
        &self,
        response: &PublicKeyCredential,
        state: &str,
        passkey: &str,
    ) -> Result<String, AppError> {
        let state: DiscoverableAuthentication = serde_json::from_str(state).map_err(internal)?;
        let mut passkey: Passkey = serde_json::from_str(passkey).map_err(internal)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(response, state, &passkey)
            .map_err(refused)?;
        passkey.update_credential(&result);
        serde_json::to_string(&passkey).map_err(internal)
    }
}
