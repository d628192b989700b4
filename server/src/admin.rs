//! The first administrator: created from the command line with a one-time
//! sign-in link, since nobody can sign in before someone has an account.

use crate::config::Config;
use crate::secrets;
use app::domain::accounts::Role;
use app::domain::volunteers::EmailAddress;
use app::server::Storage;

/// Creates the user (or gives an existing one the administrator role) and
/// returns a one-time sign-in link that expires after the configured time.
pub async fn administrator_link(
    storage: &dyn Storage,
    config: &Config,
    email: &str,
    name: &str,
) -> anyhow::Result<String> {
    let email = EmailAddress::parse("email", email)
        .map_err(|_| anyhow::anyhow!("{email:?} is not a valid email address"))?;
    let name = name.trim();
    anyhow::ensure!(!name.is_empty(), "the name must not be empty");
    let user_id = storage
        .ensure_user_with_role(email.as_str(), name, Role::Administrator)
        .await
        .map_err(|e| anyhow::anyhow!("could not create the administrator: {e}"))?;
    let token = secrets::new_secret();
    let expires = secrets::unix_now() + config.admin_link_minutes * 60;
    storage
        .store_sign_in_token(user_id, &secrets::hash(&token), expires)
        .await
        .map_err(|e| anyhow::anyhow!("could not store the sign-in link: {e}"))?;
    Ok(format!("{}/signin/{token}", config.public_url))
}
