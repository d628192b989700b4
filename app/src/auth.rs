//! Signing in and out. In this first version people sign in with a one-time
//! link (printed by `valgvagt admin`); passkeys and emailed links build on
//! the same sessions.

use crate::components::{Field, Loaded};
use crate::domain::accounts::CurrentUser;
#[cfg(feature = "ssr")]
use crate::domain::audit::AuditAction;
use crate::domain::AppError;
use crate::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The signed-in user, or `None`.
#[server(endpoint = "auth/who_am_i")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    crate::server::guarded(crate::server::current_user()).await
}

/// Whether a sign-in link is still good, and for whom (the email).
#[server(endpoint = "auth/peek_link")]
pub async fn peek_sign_in_link(token: String) -> Result<Option<String>, AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let hash = (ctx.hasher)(&token);
        ctx.storage.peek_sign_in_token(&hash, ctx.now()).await
    })
    .await
}

/// How many links one address, and one network address, may ask for an hour.
/// A network address can be a whole polling station's Wi-Fi or a mobile
/// operator's shared (CGNAT) address on election morning, hence room for a
/// hundred people; one address asking for more than five is not a person.
/// The five count per network address, so a stranger who spends them does
/// not lock the owner out; the overall cap keeps an inbox from being
/// flooded from many networks. The README's "Rate limits" lists every limit.
pub const LINKS_PER_ADDRESS_PER_HOUR: i64 = 5;
pub const LINKS_PER_ADDRESS_OVERALL_PER_HOUR: i64 = 20;
pub const LINKS_PER_CLIENT_PER_HOUR: i64 = 120;

/// Counts one attempt in each `(bucket, max)` of an hour, in order, and
/// refuses at the first that is full.
#[cfg(feature = "ssr")]
async fn within_hourly_limits(
    ctx: &crate::server::ServerContext,
    buckets: &[(&str, i64)],
) -> Result<(), AppError> {
    let now = ctx.now();
    for (bucket, max) in buckets {
        if !ctx.storage.allow_attempt(bucket, now, 3600, *max).await? {
            return Err(AppError::refused("auth.rate_limited"));
        }
    }
    Ok(())
}

/// Sends a one-time sign-in link to a known, active user. The answer is the
/// same whether or not the address is known, so it tells nobody who has an
/// account; only a malformed address or too many attempts are refused.
#[server(endpoint = "auth/request_link")]
pub async fn request_sign_in_link(email: String, next: Option<String>) -> Result<(), AppError> {
    use crate::domain::volunteers::EmailAddress;
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let email = EmailAddress::parse("email", &email)?;
        let client = crate::server::client_ip();
        let by_address = format!("link:address:{}", email.as_str());
        within_hourly_limits(
            &ctx,
            &[
                (&format!("link:client:{client}"), LINKS_PER_CLIENT_PER_HOUR),
                (
                    &format!("{by_address}:{client}"),
                    LINKS_PER_ADDRESS_PER_HOUR,
                ),
                (&by_address, LINKS_PER_ADDRESS_OVERALL_PER_HOUR),
            ],
        )
        .await?;
        let next = next.as_deref().and_then(crate::domain::forms::local_path);
        if let Some((user_id, name)) = ctx.storage.sign_in_account(email.as_str()).await? {
            let mail = sign_in_mail(
                &ctx,
                SignInMail {
                    user_id,
                    name: &name,
                    email: email.as_str(),
                    intro: "mail.signin_text",
                    next: next.as_deref(),
                    valid_secs: ctx.settings.sign_in_link_secs,
                },
            )
            .await?;
            // Sent after the answer: its time and fate must not tell that
            // the address has an account.
            let mailer = ctx.mailer.clone();
            ctx.after_answer.run(
                "sign-in mail",
                Box::pin(async move { mailer.send(mail).await }),
            );
        }
        // Back to the sign-in page saying so, known address or not; a phone
        // page without wasm learns it from the address, not from the answer.
        let mut back = vec![("sent", "1")];
        back.extend(next.as_deref().map(|n| ("next", n)));
        crate::server::redirect_to(&crate::domain::forms::with_query("/signin", &back));
        Ok(())
    })
    .await
}

/// How many codes one number, and one network address, may ask for an hour;
/// per number as with links (each SMS costs, hence the lower overall cap).
pub const CODES_PER_NUMBER_PER_HOUR: i64 = 5;
pub const CODES_PER_NUMBER_OVERALL_PER_HOUR: i64 = 10;
pub const CODES_PER_CLIENT_PER_HOUR: i64 = 120;
/// Codes one network address may try an hour (over all numbers; each code
/// also allows only `CODE_TRIES` tries of its own).
pub const CODE_TRIES_PER_CLIENT_PER_HOUR: i64 = 120;

/// Sends a one-time code by SMS to the one person on record with this
/// number, then goes on to the page where it is typed. As with links, the
/// answer is the same whether or not the number is known.
#[server(endpoint = "auth/request_code")]
pub async fn request_sign_in_code(phone: String, next: Option<String>) -> Result<(), AppError> {
    use crate::domain::accounts::{code_from, CODE_MINUTES};
    use crate::domain::volunteers::PhoneNumber;
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let phone = PhoneNumber::parse("phone", &phone)?;
        let Some(sms) = ctx.sms.clone() else {
            return Err(AppError::refused("auth.sms_unavailable"));
        };
        // Refused for every number of another country alike, known or not.
        if !crate::domain::volunteers::sms_reaches(phone.as_str(), &ctx.settings.sms_countries) {
            return Err(AppError::invalid("phone", "auth.sms_country"));
        }
        let now = ctx.now();
        let client = crate::server::client_ip();
        let by_number = format!("code:number:{}", phone.as_str());
        within_hourly_limits(
            &ctx,
            &[
                (&format!("code:client:{client}"), CODES_PER_CLIENT_PER_HOUR),
                (&format!("{by_number}:{client}"), CODES_PER_NUMBER_PER_HOUR),
                (&by_number, CODES_PER_NUMBER_OVERALL_PER_HOUR),
            ],
        )
        .await?;
        let next = next.as_deref().and_then(crate::domain::forms::local_path);
        if let Some((user_id, _)) = ctx.storage.sign_in_account_by_phone(phone.as_str()).await? {
            let secret = (ctx.new_secret)();
            let random = u32::from_str_radix(&secret[..8], 16).unwrap_or_default();
            let code = code_from(random);
            ctx.storage
                .store_sign_in_code(
                    phone.as_str(),
                    user_id,
                    &(ctx.hasher)(&code_key(phone.as_str(), &code)),
                    now + CODE_MINUTES * 60,
                    now,
                )
                .await?;
            let host = crate::server::host_of(&ctx.settings.public_url);
            // The last line lets phones offer the code for the sign-in
            // field by themselves (the WebOTP format).
            let text = crate::i18n::translate(crate::request_locale(), "auth.code_sms")
                .replace("{code}", &code)
                .replace("{minutes}", &CODE_MINUTES.to_string())
                .replace("{host}", &host);
            // As with the mail: sent after the answer, a failure only logged.
            let to = phone.as_str().to_string();
            let reference = format!("signin:{now}");
            ctx.after_answer.run(
                "sign-in code",
                Box::pin(async move {
                    sms.send_text(&to, &text, &reference)
                        .await
                        .map_err(|error| {
                            leptos::logging::error!("sending a sign-in code failed: {error}");
                            AppError::Server
                        })
                }),
            );
        }
        crate::server::redirect_to(&code_page(phone.as_str(), next.as_deref()));
        Ok(())
    })
    .await
}

/// What is hashed for a code: the number with it, so equal codes of two
/// numbers differ in storage.
#[cfg(feature = "ssr")]
fn code_key(phone: &str, code: &str) -> String {
    format!("sms-code:{phone}:{code}")
}

/// The page on which the code sent to `phone` is typed.
#[cfg(feature = "ssr")]
fn code_page(phone: &str, next: Option<&str>) -> String {
    let mut url: String = url::form_urlencoded::Serializer::new("/signin-code?".to_string())
        .append_pair("phone", phone)
        .finish();
    if let Some(next) = next {
        url = url::form_urlencoded::Serializer::new(url)
            .append_pair("next", next)
            .finish();
    }
    url
}

/// Signs in with the code sent by SMS. Five wrong tries end the code.
#[server(endpoint = "auth/sign_in_with_code")]
pub async fn sign_in_with_code(
    phone: String,
    code: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::accounts::{parse_sign_in_code, CodeCheck, CODE_TRIES};
    use crate::domain::volunteers::PhoneNumber;
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let phone = PhoneNumber::parse("phone", &phone)?;
        let code = parse_sign_in_code(&code)?;
        let now = ctx.now();
        let by_client = format!("code-try:client:{}", crate::server::client_ip());
        if !ctx
            .storage
            .allow_attempt(&by_client, now, 3600, CODE_TRIES_PER_CLIENT_PER_HOUR)
            .await?
        {
            return Err(AppError::refused("auth.rate_limited"));
        }
        let hash = (ctx.hasher)(&code_key(phone.as_str(), &code));
        match ctx
            .storage
            .try_sign_in_code(phone.as_str(), &hash, now, CODE_TRIES)
            .await?
        {
            CodeCheck::SignedIn(user_id) => {
                let user = start_session(&ctx, user_id, "sms code").await?;
                proved(&ctx, user.as_ref()).await;
                let next = next.as_deref().and_then(crate::domain::forms::local_path);
                crate::server::redirect_to(next.as_deref().unwrap_or("/"));
                Ok(())
            }
            CodeCheck::Wrong { tries_left } if tries_left > 0 => {
                crate::server::audit(
                    &ctx,
                    None,
                    AuditAction::SignInFailed,
                    "sms code",
                    "wrong code",
                )
                .await;
                Err(AppError::refused_with("auth.code_wrong", tries_left))
            }
            CodeCheck::Wrong { .. } | CodeCheck::NoCode => {
                crate::server::audit(
                    &ctx,
                    None,
                    AuditAction::SignInFailed,
                    "sms code",
                    "no live code",
                )
                .await;
                Err(AppError::refused("auth.code_dead"))
            }
        }
    })
    .await
}

/// Mails a one-time sign-in link to a user. `intro` is the locale key of the
/// first paragraph (a plain link, or an invitation); `next` is where the
/// link goes on to after signing in (a path on this site).
#[cfg(feature = "ssr")]
pub async fn send_sign_in_link(
    ctx: &crate::server::ServerContext,
    user_id: crate::domain::Id,
    name: &str,
    email: &str,
    intro: &str,
    next: Option<&str>,
) -> Result<(), AppError> {
    send_sign_in_link_for(
        ctx,
        SignInMail {
            user_id,
            name,
            email,
            intro,
            next,
            valid_secs: ctx.settings.sign_in_link_secs,
        },
    )
    .await
}

/// A sign-in link to mail: to whom, its first paragraph (a locale key),
/// where it goes on to, and how long it works.
#[cfg(feature = "ssr")]
pub struct SignInMail<'a> {
    pub user_id: crate::domain::Id,
    pub name: &'a str,
    pub email: &'a str,
    pub intro: &'a str,
    pub next: Option<&'a str>,
    pub valid_secs: i64,
}

/// [`send_sign_in_link`] with a lifetime of its own.
#[cfg(feature = "ssr")]
pub async fn send_sign_in_link_for(
    ctx: &crate::server::ServerContext,
    mail: SignInMail<'_>,
) -> Result<(), AppError> {
    let mail = sign_in_mail(ctx, mail).await?;
    ctx.mailer.send(mail).await
}

/// Makes a sign-in link (its token stored, hashed) and the mail that
/// carries it, ready to send.
#[cfg(feature = "ssr")]
async fn sign_in_mail(
    ctx: &crate::server::ServerContext,
    mail: SignInMail<'_>,
) -> Result<crate::server::mail::OutgoingMail, AppError> {
    let SignInMail {
        user_id,
        name,
        email,
        intro,
        next,
        valid_secs,
    } = mail;
    let token = (ctx.new_secret)();
    let now = ctx.now();
    ctx.storage
        .store_sign_in_token(user_id, &(ctx.hasher)(&token), now + valid_secs)
        .await?;
    let mut link = format!("{}/signin/{token}", ctx.settings.public_url);
    if let Some(next) = next {
        let encoded: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        link.push_str(&format!("?next={encoded}"));
    }
    let locale = crate::request_locale();
    let minutes = (valid_secs / 60).to_string();
    let fill = |key: &str| {
        crate::i18n::translate(locale, key)
            .replace("{name}", name)
            .replace("{minutes}", &minutes)
            .replace("{municipality}", &ctx.settings.municipality_name)
    };
    Ok(link_mail(LinkMail {
        to: email,
        subject: fill("mail.signin_subject"),
        intro: fill(intro),
        link: &link,
        button: fill("mail.signin_button"),
        closing: fill("mail.signin_ignore"),
    }))
}

/// A mail whose point is one link: a paragraph, the link (a button in the
/// HTML part), and a closing line — all already in the reader's language.
#[cfg(feature = "ssr")]
pub struct LinkMail<'a> {
    pub to: &'a str,
    pub subject: String,
    pub intro: String,
    pub link: &'a str,
    pub button: String,
    pub closing: String,
}

/// Sends a [`LinkMail`] as plain text and escaped HTML.
#[cfg(feature = "ssr")]
pub async fn send_link_mail(
    ctx: &crate::server::ServerContext,
    mail: LinkMail<'_>,
) -> Result<(), AppError> {
    ctx.mailer.send(link_mail(mail)).await
}

/// The mail of a [`LinkMail`], with a plain and an HTML part.
#[cfg(feature = "ssr")]
fn link_mail(mail: LinkMail<'_>) -> crate::server::mail::OutgoingMail {
    let link = mail.link;
    crate::server::mail::OutgoingMail {
        to: mail.to.to_string(),
        subject: mail.subject,
        text: format!("{}\n\n{link}\n\n{}\n", mail.intro, mail.closing),
        html: format!(
            "<p>{}</p><p><a href=\"{}\">{}</a></p><p>{}</p>",
            html_escape(&mail.intro),
            html_escape(link),
            html_escape(&mail.button),
            html_escape(&mail.closing),
        ),
        message_id: None,
    }
}

/// Escapes text for an HTML mail body.
pub fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Uses a one-time sign-in link: starts a session and goes to the front page.
#[server(endpoint = "auth/sign_in_with_link")]
pub async fn sign_in_with_link(token: String, next: Option<String>) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        if token.is_empty() || token.len() > 128 {
            return Err(AppError::refused("auth.link_invalid"));
        }
        let now = ctx.now();
        let Some(user_id) = ctx
            .storage
            .consume_sign_in_token(&(ctx.hasher)(&token), now)
            .await?
        else {
            crate::server::audit(
                &ctx,
                None,
                AuditAction::SignInFailed,
                "link",
                "used, expired or unknown link",
            )
            .await;
            return Err(AppError::refused("auth.link_invalid"));
        };
        let user = start_session(&ctx, user_id, "link").await?;
        proved(&ctx, user.as_ref()).await;
        // Someone without a passkey is offered to make one right away.
        let has_passkey = !ctx
            .storage
            .passkey_credential_ids(user_id)
            .await?
            .is_empty();
        let next = next.as_deref().and_then(crate::domain::forms::local_path);
        let fallback = if has_passkey { "/" } else { "/account" };
        crate::server::redirect_to(next.as_deref().unwrap_or(fallback));
        Ok(())
    })
    .await
}

/// The person just proved that the address or number they signed in with
/// reaches them: a newcomer's held seats become theirs.
#[cfg(feature = "ssr")]
async fn proved(ctx: &crate::server::ServerContext, user: Option<&CurrentUser>) {
    if let Some(volunteer_id) = user.and_then(|u| u.volunteer_id) {
        if let Err(error) = crate::newcomers::confirm_holds(ctx, volunteer_id).await {
            leptos::logging::error!("confirming held seats failed: {error:?}");
        }
    }
}

/// Starts a fresh session for `user_id` and sets its cookie, and writes the
/// sign-in (by `method`) to the audit log. Any session the browser had
/// before is ended: the id changes at every sign-in. Returns the user.
#[cfg(feature = "ssr")]
pub async fn start_session(
    ctx: &crate::server::ServerContext,
    user_id: crate::domain::Id,
    method: &str,
) -> Result<Option<CurrentUser>, AppError> {
    use crate::server::{append_cookie, cookie, SESSION_COOKIE};
    if let Some(old) = crate::server::request_cookie(SESSION_COOKIE) {
        ctx.storage.delete_session(&(ctx.hasher)(&old)).await?;
    }
    let session = (ctx.new_secret)();
    let now = ctx.now();
    let max = ctx.settings.session_max_secs;
    let hash = (ctx.hasher)(&session);
    ctx.storage
        .create_session(&hash, user_id, now, now + max)
        .await?;
    append_cookie(cookie(&ctx.settings, SESSION_COOKIE, &session, max, true));
    let user = ctx
        .storage
        .session_user(&hash, now, ctx.settings.session_idle_secs)
        .await?;
    crate::server::audit(ctx, user.as_ref(), AuditAction::SignIn, method, "").await;
    Ok(user)
}

/// Ends every session of the signed-in person, on every device.
#[server(endpoint = "auth/sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::server::{append_cookie, cookie, SESSION_COOKIE};
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        ctx.storage.delete_user_sessions(user.id).await?;
        // Signed out on every device: none of them is told about shifts.
        ctx.storage.forget_push_devices(user.id, None).await?;
        append_cookie(cookie(&ctx.settings, SESSION_COOKIE, "", 0, true));
        crate::server::audit(&ctx, Some(&user), AuditAction::SignOutEverywhere, "", "").await;
        crate::server::redirect_to("/");
        Ok(())
    })
    .await
}

/// Ends this device's session. `push_endpoint` is this device's push
/// subscription (the page script fills it in): a shared tablet must not go
/// on showing the last person's notifications.
#[server(endpoint = "auth/sign_out")]
pub async fn sign_out(push_endpoint: Option<String>) -> Result<(), AppError> {
    use crate::server::{append_cookie, cookie, SESSION_COOKIE};
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let endpoint = push_endpoint.filter(|e| !e.trim().is_empty());
        if let (Some(endpoint), Some(user)) = (endpoint, crate::server::current_user().await?) {
            ctx.storage
                .forget_push_devices(user.id, Some(endpoint.trim()))
                .await?;
        }
        if let Some(raw) = crate::server::request_cookie(SESSION_COOKIE) {
            ctx.storage.delete_session(&(ctx.hasher)(&raw)).await?;
        }
        append_cookie(cookie(&ctx.settings, SESSION_COOKIE, "", 0, true));
        crate::server::redirect_to("/");
        Ok(())
    })
    .await
}

/// Remembers the chosen language in a cookie; the page reloads in it.
#[server(endpoint = "auth/language")]
pub async fn set_language(lang: String) -> Result<(), AppError> {
    use crate::server::{append_cookie, cookie, LANGUAGE_COOKIE};
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let locale = crate::i18n::Locale::parse(&lang)
            .ok_or_else(|| AppError::invalid("lang", "error.unknown_choice"))?;
        append_cookie(cookie(
            &ctx.settings,
            LANGUAGE_COOKIE,
            locale.code(),
            60 * 60 * 24 * 365,
            false,
        ));
        Ok(())
    })
    .await
}

/// Where to go after signing in, from `?next=…` (only paths on this site).
fn next_from_query() -> Option<String> {
    let query = leptos_router::hooks::use_query_map();
    let next = query.read_untracked().get("next");
    next.as_deref().and_then(crate::domain::forms::local_path)
}

/// Whether sign-in by SMS code is offered (an SMS gateway is configured).
#[server(endpoint = "auth/options")]
pub async fn sign_in_options() -> Result<bool, AppError> {
    crate::server::guarded(async move { Ok(crate::server::context()?.sms.is_some()) }).await
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let next = next_from_query();
    let next_for_sms = next.clone();
    let sent = crate::components::query_flag("sent");
    view! {
        <Title text=t("auth.sign_in")/>
        <div class="signin-box card">
            <h1>{t("auth.sign_in")}</h1>
            <p>{t("passkeys.sign_in_how")}</p>
            <crate::passkeys::PasskeySignIn next=next.clone()/>
            <h2>{t("auth.by_email")}</h2>
            <p>{t("auth.sign_in_how")}</p>
            {sent.then(|| view! {
                <div class="alert alert-success" role="status"><p>{t("auth.link_sent")}</p></div>
            })}
            <form method="post" action=RequestSignInLink::url()>
                {next.map(|n| view! { <input type="hidden" name="next" value=n/> })}
                <div class="form">
                    <Field name="email" label="field.email" kind="email" required=true autocomplete="email"/>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary">{t("auth.send_link")}</button>
                </div>
            </form>
            <SmsCodeOption next=next_for_sms/>
        </div>
    }
}

/// Offers a sign-in code by SMS, where an SMS gateway is configured.
#[component]
pub fn SmsCodeOption(next: Option<String>) -> impl IntoView {
    let sms = Resource::new(|| (), |_| sign_in_options());
    view! {
        <Loaded resource=sms view=move |available: bool| {
            available.then(|| view! { <CodeRequest next=next.clone()/> })
        }/>
    }
}

/// Asks for a sign-in code by SMS.
#[component]
fn CodeRequest(next: Option<String>) -> impl IntoView {
    view! {
        <h2>{t("auth.by_sms")}</h2>
        <p>{t("auth.sms_how")}</p>
        <form method="post" action=RequestSignInCode::url()>
            {next.map(|n| view! { <input type="hidden" name="next" value=n/> })}
            <div class="form">
                <Field name="phone" label="field.phone" kind="tel" required=true autocomplete="tel"/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-secondary">{t("auth.send_code")}</button>
            </div>
        </form>
    }
}

/// Where the code sent by SMS is typed (`/signin-code?phone=…`).
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let phone = query.read_untracked().get("phone").unwrap_or_default();
    let next = next_from_query();
    let again = match &next {
        Some(n) => crate::domain::forms::with_query("/signin", &[("next", n)]),
        None => "/signin".to_string(),
    };
    view! {
        <Title text=t("auth.code_title")/>
        <div class="signin-box card">
            <h1>{t("auth.code_title")}</h1>
            <p role="status">{crate::i18n::t_with("auth.code_sent", &[("phone", &phone)])}</p>
            // A refused try comes back here, its error shown by the layout.
            // A plain form post, so the whole app reloads as the signed-in user.
            <form method="post" action=SignInWithCode::url()>
                <input type="hidden" name="phone" value=phone.clone()/>
                {next.map(|n| view! { <input type="hidden" name="next" value=n/> })}
                <div class="form">
                    <div class="field">
                        <label for="f-code">{t("field.code")}</label>
                        <input id="f-code" name="code" type="text" inputmode="numeric"
                            autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="8"
                            required=true aria-describedby="f-code-hint"/>
                        <p class="hint" id="f-code-hint">{t("auth.code_hint")}</p>
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary">{t("auth.sign_in_button")}</button>
                </div>
            </form>
            <p><a href=again>{t("auth.code_again")}</a></p>
        </div>
    }
}

/// The page a sign-in link opens. The link itself does not sign in: mail
/// scanners open links too, so a button press spends the one-time token.
/// A plain form post, so the whole app reloads as the signed-in user.
#[component]
pub fn SignInWithLinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let status = Resource::new(token, peek_sign_in_link);
    let next = next_from_query();
    view! {
        <Title text=t("auth.sign_in")/>
        <div class="signin-box card">
            <h1>{t("auth.sign_in")}</h1>
            <Loaded resource=status view={move |email: Option<String>| match email {
                Some(email) => view! {
                    <p>{crate::i18n::t_with("auth.sign_in_as", &[("email", &email)])}</p>
                    <form method="post" action=SignInWithLink::url()>
                        <input type="hidden" name="token" value=token()/>
                        {next.clone().map(|n| view! { <input type="hidden" name="next" value=n/> })}
                        <button type="submit" class="btn btn-primary">{t("auth.sign_in_button")}</button>
                    </form>
                }.into_any(),
                None => view! {
                    <div class="alert alert-error" role="alert"><p>{t("auth.link_invalid")}</p></div>
                }.into_any(),
            }}/>
        </div>
    }
}
