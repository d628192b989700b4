//! A volunteer's own profile: contact details, special diets, language, how
//! they want messages, and whether their teams' leaders may see their phone
//! and email.

use crate::components::Loaded;
use crate::domain::notifications::Channel;
use crate::domain::volunteers::{Diet, ProfileForm, Volunteer};
use crate::domain::{AppError, Id};
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileData {
    pub volunteer: Volunteer,
    /// The municipality's name and code (whether they live here).
    pub municipality: (String, String),
    pub diets: Vec<Diet>,
    pub channels: Vec<Channel>,
    /// (team id, team name, shares contact with its leaders)
    pub teams: Vec<(Id, String, bool)>,
    pub sms_available: bool,
    pub digital_post_available: bool,
}

#[server(endpoint = "profile/get")]
pub async fn load_profile() -> Result<ProfileData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        Ok(ProfileData {
            volunteer: ctx.storage.get_volunteer(id).await?,
            diets: ctx.storage.list_diets().await?,
            channels: ctx.storage.volunteer_channels(id).await?,
            teams: ctx.storage.volunteer_team_sharing(id).await?,
            sms_available: ctx.settings.sms_available,
            digital_post_available: ctx.settings.digital_post_available,
            municipality: (
                ctx.settings.municipality_name.clone(),
                ctx.settings.municipality_code.clone(),
            ),
        })
    })
    .await
}

#[server(endpoint = "profile/save")]
pub async fn save_profile(form: ProfileForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let change = form.parse(&ctx.settings.municipality_code)?;
        ctx.storage.update_profile(id, &change).await?;
        // The page says so from its address: the phone's page has no wasm.
        crate::server::redirect_to("/profile?saved=1");
        Ok(())
    })
    .await
}

/// How long a link to confirm a new email address works.
pub const EMAIL_CHANGE_HOURS: i64 = 24;

/// The volunteer asks to use another email address. Nothing changes until
/// they open the link mailed to the new address.
#[server(endpoint = "profile/email")]
pub async fn request_email_change(email: String) -> Result<String, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_fresh_sign_in().await?;
        user.volunteer_id.ok_or(AppError::Forbidden)?;
        let email = crate::domain::volunteers::EmailAddress::parse("email", &email)?;
        if email.as_str() == user.email.to_lowercase() {
            return Err(AppError::invalid("email", "profile.email_same"));
        }
        let now = ctx.now();
        if !ctx
            .storage
            .allow_attempt(&format!("email_change:user:{}", user.id), now, 3600, 5)
            .await?
        {
            return Err(AppError::refused("auth.rate_limited"));
        }
        let token = (ctx.new_secret)();
        let stored = ctx
            .storage
            .store_email_change(
                user.id,
                &(ctx.hasher)(&token),
                email.as_str(),
                now + EMAIL_CHANGE_HOURS * 3600,
            )
            .await;
        // An address with an account already gets the same answer (it must
        // not tell who has an account); its owner is told instead of linked.
        if matches!(&stored, Err(e) if *e == AppError::invalid("email", "error.taken")) {
            let fill = |key: &str| crate::i18n::translate(crate::request_locale(), key);
            crate::server::tell_account_owner(
                &ctx,
                email.as_str(),
                fill("mail.email_taken_subject"),
                fill("mail.email_taken_text"),
            )
            .await;
            crate::server::redirect_back(&[("email_sent", "1")]);
            return Ok(email.as_str().to_string());
        }
        stored?;
        let link = format!("{}/profile/email/{token}", ctx.settings.public_url);
        let fill = |key: &str| {
            crate::i18n::translate(crate::request_locale(), key)
                .replace("{name}", &user.name)
                .replace("{hours}", &EMAIL_CHANGE_HOURS.to_string())
        };
        crate::auth::send_link_mail(
            &ctx,
            crate::auth::LinkMail {
                to: email.as_str(),
                subject: fill("mail.email_change_subject"),
                intro: fill("mail.email_change_text"),
                link: &link,
                button: fill("mail.email_change_button"),
                closing: fill("mail.email_change_ignore"),
            },
        )
        .await?;
        crate::server::redirect_back(&[("email_sent", "1")]);
        Ok(email.as_str().to_string())
    })
    .await
}

/// Uses the link mailed to a new address: from now on the volunteer signs
/// in and hears from the office there. Works on any device, signed in or not.
#[server(endpoint = "profile/email_confirm")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        if token.is_empty() || token.len() > 128 {
            return Err(AppError::refused("profile.email_link_invalid"));
        }
        let Some(changed) = ctx
            .storage
            .confirm_email_change(&(ctx.hasher)(&token), ctx.now())
            .await?
        else {
            return Err(AppError::refused("profile.email_link_invalid"));
        };
        crate::server::audit(
            &ctx,
            None,
            crate::domain::audit::AuditAction::EmailChanged,
            &format!("user {}", changed.user_id),
            &changed.new_email,
        )
        .await;
        // The old address hears of it: if its owner did not ask, they know
        // whom to call. The change stands whether or not this mail goes.
        let fill = |key: &str| {
            crate::i18n::translate(crate::request_locale(), key)
                .replace("{name}", &changed.name)
                .replace("{email}", &changed.new_email)
                .replace("{municipality}", &ctx.settings.municipality_name)
        };
        crate::server::tell_account_owner(
            &ctx,
            &changed.old_email,
            fill("mail.email_changed_subject"),
            fill("mail.email_changed_text"),
        )
        .await;
        crate::server::redirect_to("/profile?email_changed=1");
        Ok(())
    })
    .await
}

/// The page the email-change link opens: a button, since mail scanners
/// open links too.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    view! {
        <Title text=t("profile.email_confirm_title")/>
        <div class="signin-box card">
            <h1>{t("profile.email_confirm_title")}</h1>
            <p>{t("profile.email_confirm_text")}</p>
            <form method="post" action=ConfirmEmailChange::url()>
                <input type="hidden" name="token" value=token/>
                <button type="submit" class="btn btn-primary">{t("profile.email_confirm_button")}</button>
            </form>
        </div>
    }
}

/// The volunteer deletes their own account (GDPR art. 17). Staff accounts
/// are closed by an administrator instead, since they carry roles. The
/// coordinators of each freed seat's area are told; nothing names the person.
#[server(endpoint = "profile/delete")]
pub async fn delete_my_account(confirm: Option<String>) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::accounts::Role;
        use crate::server::{append_cookie, cookie, SESSION_COOKIE};
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        if confirm
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .is_empty()
        {
            return Err(AppError::invalid(
                "confirm",
                "profile.delete_confirm_required",
            ));
        }
        if user.roles.iter().any(|r| *r != Role::Volunteer) {
            return Err(AppError::refused("profile.delete_staff"));
        }
        let today = ctx.today();
        let now = ctx.now();
        let leaving = crate::domain::removals::coming_seats(
            ctx.storage.volunteer_seats(volunteer_id).await?,
            today,
        );
        let messages = crate::notifications::volunteer_left_messages(&ctx, &leaving, now).await?;
        let anonymised = ctx
            .storage
            .delete_volunteer_account(
                volunteer_id,
                today,
                now,
                &messages,
                crate::domain::removals::DeletionBy::Themselves,
            )
            .await?;
        (ctx.wake_outbox)();
        let detail = if anonymised { "anonymised" } else { "erased" };
        // The log keeps no address of someone who asked to be forgotten.
        crate::server::audit(
            &ctx,
            None,
            crate::domain::audit::AuditAction::AccountDeleted,
            &format!("volunteer {volunteer_id}"),
            detail,
        )
        .await;
        append_cookie(cookie(&ctx.settings, SESSION_COOKIE, "", 0, true));
        crate::server::redirect_to("/?account_deleted=1");
        Ok(())
    })
    .await
}

/// Everything Valgvagt keeps about the signed-in volunteer, for them to take
/// away (GDPR art. 15 and 20).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MyData {
    pub exported_at: i64,
    pub account: crate::domain::accounts::CurrentUser,
    pub volunteer: Volunteer,
    pub channels: Vec<Channel>,
    pub teams: Vec<(Id, String, bool)>,
    pub seats: Vec<crate::domain::seats::SeatDetails>,
    pub seat_history: Vec<crate::domain::volunteers::SeatEvent>,
    pub standby: Vec<crate::domain::signup::StandbyPlace>,
    pub messages: Vec<crate::domain::notifications::MessageRecord>,
    pub push_devices: Vec<crate::domain::notifications::PushDevice>,
    pub passkeys: Vec<crate::domain::accounts::PasskeyInfo>,
    pub calendar_feed: bool,
}

#[server(endpoint = "profile/data")]
pub async fn download_my_data() -> Result<MyData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        collect_my_data(&ctx, user).await
    })
    .await
}

/// Gathers [`MyData`] for a signed-in user with a volunteer record.
#[cfg(feature = "ssr")]
pub async fn collect_my_data(
    ctx: &crate::server::ServerContext,
    user: crate::domain::accounts::CurrentUser,
) -> Result<MyData, AppError> {
    {
        let id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        Ok(MyData {
            exported_at: ctx.now(),
            volunteer: ctx.storage.get_volunteer(id).await?,
            channels: ctx.storage.volunteer_channels(id).await?,
            teams: ctx.storage.volunteer_team_sharing(id).await?,
            seats: ctx.storage.volunteer_seats(id).await?,
            seat_history: ctx.storage.volunteer_history(id).await?,
            standby: ctx.storage.volunteer_standby(id).await?,
            messages: ctx.storage.list_messages(Some(id), None, 10_000).await?,
            push_devices: ctx.storage.list_push_devices(user.id).await?,
            passkeys: ctx.storage.list_passkeys(user.id).await?,
            calendar_feed: ctx.storage.has_calendar_feed(id).await?,
            account: user,
        })
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_profile());
    let query = leptos_router::hooks::use_query_map();
    let changed = move || query.read().get("email_changed").is_some();
    view! {
        <Title text=t("profile.title")/>
        <h1>{t("profile.title")}</h1>
        {move || changed().then(|| view! {
            <div class="alert alert-success" role="status"><p>{t("profile.email_changed")}</p></div>
        })}
        <Loaded resource=data view={move |d: ProfileData| view! { <ProfileFormView data=d/> }}/>
        <EmailChange/>
        <section class="card" aria-labelledby="data-heading">
            <h2 id="data-heading">{t("profile.my_data")}</h2>
            <p>{t("profile.my_data_explained")}</p>
            <a class="btn btn-secondary" href="/profile/data.json" download="valgvagt-mine-data.json">{t("profile.download")}</a>
        </section>
        <section class="card" aria-labelledby="delete-heading">
            <h2 id="delete-heading">{t("profile.delete_title")}</h2>
            <p>{t("profile.delete_explained")}</p>
            <details class="confirm-delete">
                <summary class="btn btn-danger">{t("profile.delete")}</summary>
                <form class="form" method="post" action=DeleteMyAccount::url()>
                    <div class="field-inline">
                        <input type="checkbox" id="delete-confirm" name="confirm" required=true/>
                        <label for="delete-confirm">{t("profile.delete_confirm")}</label>
                    </div>
                    <button type="submit" class="btn btn-danger">{t("profile.delete_yes")}</button>
                </form>
            </details>
        </section>
    }
}

#[component]
fn ProfileFormView(data: ProfileData) -> impl IntoView {
    let v = data.volunteer;
    let saved = crate::components::query_flag("saved");
    let chosen = data.channels.clone();
    let has = move |c: Channel| chosen.contains(&c);
    view! {
        <p>{v.name.clone()} " · " {v.email.clone()}</p>
        {saved.then(|| view! {
            <div class="alert alert-success" role="status"><p>{t("profile.saved")}</p></div>
        })}
        <form method="post" action=SaveProfile::url()>
            <div class="form form-grid">
                <crate::components::Field name="form[phone]" label="field.phone" kind="tel" value=v.phone.clone() required=true autocomplete="tel"/>
                <crate::components::Field name="form[address]" label="field.address" value=v.address.clone() autocomplete="street-address"/>
                <crate::components::Field name="form[postal_code]" label="field.postal_code" value=v.postal_code.clone() autocomplete="postal-code"/>
                <crate::components::Field name="form[city]" label="field.city" value=v.city.clone() autocomplete="address-level2"/>
                <div class="field">
                    <label for="profile-language">{t("profile.language")}</label>
                    <select id="profile-language" name="form[language]">
                        <option value="da" selected=v.language.as_str() == "da">"Dansk"</option>
                        <option value="en" selected=v.language.as_str() == "en">"English"</option>
                    </select>
                </div>
            </div>
            <fieldset class="choice-group">
                <legend>{t_with("profile.resident", &[("municipality", &data.municipality.0)])}</legend>
                <p class="hint">{t("profile.resident_hint")}</p>
                {[("yes", true), ("no", false)].into_iter().map(|(value, here)| {
                    let id = format!("profile-resident-{value}");
                    let checked = (v.municipality_code == data.municipality.1) == here;
                    view! {
                        <div class="field-inline">
                            <input type="radio" id=id.clone() name="form[resident]" value=value checked=checked/>
                            <label for=id>{t(&format!("common.{value}"))}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset class="form">
                <legend>{t("profile.channels")}</legend>
                <p class="hint">{t("profile.channels_hint")}</p>
                {Channel::ALL.into_iter().filter(|c| *c != Channel::DigitalPost || data.digital_post_available || has(*c)).map(|c| {
                    let id = format!("channel-{}", c.as_str());
                    view! {
                        <div class="field-inline">
                            <input type="checkbox" id=id.clone() name="form[channels][]" value=c.as_str() checked=has(c)/>
                            <label for=id>{t(&format!("channel.{}", c.as_str()))}</label>
                        </div>
                    }
                }).collect_view()}
                {(!data.sms_available).then(|| view! { <p class="hint">{t("profile.no_sms")}</p> })}
                {data.digital_post_available.then(|| view! { <p class="hint">{t("profile.digital_post_hint")}</p> })}
            </fieldset>
            {(!data.diets.is_empty()).then(|| view! {
                <fieldset class="form">
                    <legend>{t("profile.diets")}</legend>
                    {data.diets.iter().map(|d| {
                        let id = format!("diet-{}", d.id);
                        view! {
                            <div class="field-inline">
                                <input type="checkbox" id=id.clone() name="form[diets][]" value=d.id.to_string() checked=v.diet_ids.contains(&d.id)/>
                                <label for=id>{d.name.clone()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            {(!data.teams.is_empty()).then(|| view! {
                <fieldset class="form">
                    <legend>{t("profile.share")}</legend>
                    {data.teams.iter().map(|(id, name, shares)| {
                        let field = format!("share-{id}");
                        view! {
                            <div class="field-inline">
                                <input type="checkbox" id=field.clone() name="form[share][]" value=id.to_string() checked=*shares/>
                                <label for=field>{name.clone()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
            </div>
        </form>
    }
}

/// A new email address, confirmed by a link mailed to it.
#[component]
fn EmailChange() -> impl IntoView {
    let sent = crate::components::query_flag("email_sent");
    view! {
        <section class="card" aria-labelledby="email-heading">
            <h2 id="email-heading">{t("profile.email_title")}</h2>
            <p>{t("profile.email_explained")}</p>
            {sent.then(|| view! {
                <div class="alert alert-success" role="status"><p>{t("profile.email_link_sent")}</p></div>
            })}
            <form method="post" action=RequestEmailChange::url()>
                <div class="form">
                    <crate::components::Field name="email" label="profile.new_email" kind="email" required=true autocomplete="email"/>
                </div>
                <button type="submit" class="btn btn-secondary">{t("profile.email_send")}</button>
            </form>
        </section>
    }
}
