//! Passkeys: register one after the first sign-in, sign in with it later
//! without typing anything, and keep the list tidy (names, last use).

use crate::components::{DeleteForm, Loaded};
use crate::domain::accounts::PasskeyInfo;
#[cfg(feature = "ssr")]
use crate::domain::audit::AuditAction;
use crate::domain::{AppError, Id};
use crate::i18n::{short_date_at, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

/// How long the browser has to finish a ceremony.
pub const CEREMONY_SECS: i64 = 300;
/// Sign-in attempts with passkeys one network address may make in ten
/// minutes: a shared address on election morning carries many people.
pub const PASSKEY_ATTEMPTS_PER_CLIENT: i64 = 200;
/// Sign-in attempts against one account in ten minutes.
pub const PASSKEY_ATTEMPTS_PER_ACCOUNT: i64 = 10;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistrationChallenge {
    pub ceremony: String,
    pub options: CreationChallengeResponse,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInChallenge {
    pub ceremony: String,
    pub options: RequestChallengeResponse,
}

#[server(endpoint = "passkeys/register_start")]
pub async fn start_passkey_registration() -> Result<RegistrationChallenge, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_fresh_sign_in().await?;
        let handle = ctx.storage.passkey_handle(user.id).await?;
        let existing = ctx.storage.passkey_credential_ids(user.id).await?;
        let (options, state) =
            ctx.passkeys
                .start_registration(&handle, &user.email, &user.name, &existing)?;
        let ceremony = (ctx.new_secret)();
        ctx.storage
            .store_ceremony(
                &(ctx.hasher)(&ceremony),
                "register",
                Some(user.id),
                &state,
                ctx.now() + CEREMONY_SECS,
            )
            .await?;
        Ok(RegistrationChallenge { ceremony, options })
    })
    .await
}

#[server(endpoint = "passkeys/register_finish", input = Json)]
pub async fn finish_passkey_registration(
    ceremony: String,
    name: String,
    response: RegisterPublicKeyCredential,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let name = crate::domain::accounts::parse_passkey_name(&name)?;
        let now = ctx.now();
        let (owner, state) = ctx
            .storage
            .take_ceremony(&(ctx.hasher)(&ceremony), "register", now)
            .await?
            .ok_or_else(|| AppError::refused("passkeys.expired"))?;
        // A ceremony started by someone else's session is not this user's.
        if owner != Some(user.id) {
            return Err(AppError::refused("passkeys.expired"));
        }
        let passkey = ctx.passkeys.finish_registration(&response, &state)?;
        ctx.storage
            .add_passkey(user.id, &passkey.credential_id, &name, &passkey.data, now)
            .await?;
        crate::server::audit(&ctx, Some(&user), AuditAction::PasskeyAdded, &name, "").await;
        let fill = |key: &str| {
            crate::i18n::translate(crate::request_locale(), key)
                .replace("{name}", &user.name)
                .replace("{passkey}", &name)
                .replace("{municipality}", &ctx.settings.municipality_name)
        };
        crate::server::tell_account_owner(
            &ctx,
            &user.email,
            fill("mail.passkey_added_subject"),
            fill("mail.passkey_added_text"),
        )
        .await;
        Ok(())
    })
    .await
}

#[server(endpoint = "passkeys/sign_in_start")]
pub async fn start_passkey_sign_in() -> Result<SignInChallenge, AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let now = ctx.now();
        let bucket = format!("passkey:client:{}", crate::server::client_ip());
        if !ctx
            .storage
            .allow_attempt(&bucket, now, 600, PASSKEY_ATTEMPTS_PER_CLIENT)
            .await?
        {
            return Err(AppError::refused("auth.rate_limited"));
        }
        let (options, state) = ctx.passkeys.start_authentication()?;
        let ceremony = (ctx.new_secret)();
        ctx.storage
            .store_ceremony(
                &(ctx.hasher)(&ceremony),
                "authenticate",
                None,
                &state,
                now + CEREMONY_SECS,
            )
            .await?;
        Ok(SignInChallenge { ceremony, options })
    })
    .await
}

#[server(endpoint = "passkeys/sign_in_finish", input = Json)]
pub async fn finish_passkey_sign_in(
    ceremony: String,
    response: PublicKeyCredential,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let now = ctx.now();
        let (_, state) = ctx
            .storage
            .take_ceremony(&(ctx.hasher)(&ceremony), "authenticate", now)
            .await?
            .ok_or_else(|| AppError::refused("passkeys.expired"))?;
        let credential_id = ctx.passkeys.credential_id(&response);
        let found = ctx.storage.passkey_by_credential(&credential_id).await?;
        if let Some((_, user_id, _)) = &found {
            let bucket = format!("passkey:account:{user_id}");
            if !ctx
                .storage
                .allow_attempt(&bucket, now, 600, PASSKEY_ATTEMPTS_PER_ACCOUNT)
                .await?
            {
                crate::server::audit(
                    &ctx,
                    None,
                    AuditAction::SignInFailed,
                    "passkey",
                    "too many attempts",
                )
                .await;
                return Err(AppError::refused("auth.rate_limited"));
            }
        }
        let verified = match found {
            Some((passkey_id, user_id, data)) => ctx
                .passkeys
                .finish_authentication(&response, &state, &data)
                .map(|updated| (passkey_id, user_id, updated)),
            None => Err(AppError::refused("passkeys.failed")),
        };
        let (passkey_id, user_id, updated) = match verified {
            Ok(found) => found,
            Err(error) => {
                crate::server::audit(
                    &ctx,
                    None,
                    AuditAction::SignInFailed,
                    "passkey",
                    &credential_id,
                )
                .await;
                return Err(error);
            }
        };
        ctx.storage
            .record_passkey_use(passkey_id, &updated, now)
            .await?;
        crate::auth::start_session(&ctx, user_id, "passkey").await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "passkeys/list")]
pub async fn list_my_passkeys() -> Result<Vec<PasskeyInfo>, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        ctx.storage.list_passkeys(user.id).await
    })
    .await
}

#[server(endpoint = "passkeys/rename")]
pub async fn rename_passkey(id: Id, name: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let name = crate::domain::accounts::parse_passkey_name(&name)?;
        ctx.storage.rename_passkey(user.id, id, &name).await
    })
    .await
}

#[server(endpoint = "passkeys/delete")]
pub async fn delete_passkey(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        ctx.storage.delete_passkey(user.id, id).await?;
        crate::server::audit(
            &ctx,
            Some(&user),
            AuditAction::PasskeyRemoved,
            &id.to_string(),
            "",
        )
        .await;
        crate::server::redirect_to("/account");
        Ok(())
    })
    .await
}

/// "Sign in with a passkey", on the sign-in page: `page.js` runs the
/// ceremony against the server functions above, and finds here where to go
/// next and the messages in the reader's language. The button stays
/// disabled in a browser without passkeys.
#[component]
pub fn PasskeySignIn(#[prop(optional_no_strip)] next: Option<String>) -> impl IntoView {
    let after = next.unwrap_or_else(|| "/".to_string());
    view! {
        <div class="passkey-sign-in" data-passkey-sign-in="" data-next=after
            data-failed=t("passkeys.failed") data-cancelled=t("passkeys.cancelled")>
            <button type="button" class="btn btn-primary" disabled=true>
                {t("passkeys.sign_in")}
            </button>
        </div>
    }
}

/// Makes a passkey on this device, named by the person. `page.js` runs
/// the ceremony against the server functions above (a volunteer's phone
/// gets no wasm) and then loads `then`, so the page shows the new passkey;
/// the messages in the reader's language are in the box's data attributes.
/// The button stays disabled in a browser without passkeys.
#[component]
pub fn PasskeyCreate(then: &'static str) -> impl IntoView {
    view! {
        <form class="form" data-passkey-create="" data-then=then
            data-failed=t("passkeys.failed") data-cancelled=t("passkeys.cancelled")>
            <div class="field">
                <label for="passkey-name">{t("passkeys.name")}</label>
                <input id="passkey-name" name="name" type="text" required=true maxlength="60"
                    value=t("passkeys.default_name")/>
                <p class="hint">{t("passkeys.name_hint")}</p>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=true>{t("passkeys.add")}</button>
            </div>
        </form>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let passkeys = Resource::new(|| (), |_| list_my_passkeys());
    let added = crate::components::query_flag("added");
    view! {
        <Title text=t("account.title")/>
        <h1>{t("account.title")}</h1>
        <section class="card">
            <h2>{t("passkeys.title")}</h2>
            <p>{t("passkeys.explained")}</p>
            {added.then(|| view! {
                <div class="alert alert-success" role="status"><p>{t("passkeys.added")}</p></div>
            })}
            <PasskeyCreate then="/account?added=1"/>
            <Loaded resource=passkeys view={move |list: Vec<PasskeyInfo>| {
                if list.is_empty() {
                    return view! { <p class="empty">{t("passkeys.none")}</p> }.into_any();
                }
                view! {
                    <ul class="passkey-list">
                        {list.into_iter().map(|p| view! { <PasskeyRow passkey=p/> }).collect_view()}
                    </ul>
                }.into_any()
            }}/>
        </section>
        <crate::notifications::PushSettings/>
        <section class="card">
            <h2>{t("account.sessions")}</h2>
            <p>{t("account.sessions_explained")}</p>
            <form method="post" action=crate::auth::SignOutEverywhere::url()>
                <button type="submit" class="btn btn-secondary">{t("account.sign_out_everywhere")}</button>
            </form>
        </section>
    }
}

#[component]
fn PasskeyRow(passkey: PasskeyInfo) -> impl IntoView {
    let date = short_date_at;
    let used = match passkey.last_used_at {
        Some(at) => t_with("passkeys.last_used", &[("date", &date(at))]),
        None => t("passkeys.never_used"),
    };
    let field = format!("passkey-{}-name", passkey.id);
    let current_name = passkey.name.clone();
    view! {
        <li class="card">
            <h3>{passkey.name.clone()}</h3>
            <p class="muted">{t_with("passkeys.created", &[("date", &date(passkey.created_at))])} " · " {used}</p>
            <details>
                <summary class="btn btn-secondary btn-small">
                    {t("passkeys.rename")}<span class="visually-hidden">" " {passkey.name.clone()}</span>
                </summary>
                <form method="post" action=RenamePasskey::url()>
                    <input type="hidden" name="id" value=passkey.id.to_string()/>
                    <div class="field">
                        <label for=field.clone()>{t("passkeys.name")}</label>
                        <input id=field name="name" type="text" required=true maxlength="60" value=current_name/>
                    </div>
                    <button type="submit" class="btn btn-primary btn-small">{t("common.save")}</button>
                </form>
            </details>
            <DeleteForm url=DeletePasskey::url() id=passkey.id label=passkey.name.clone()/>
        </li>
    }
}
