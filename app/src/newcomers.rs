//! A newcomer with only a phone and a link becomes a volunteer in three
//! short steps: their details, consent to the municipality's privacy text
//! (stored with its version), and a passkey — or, as the fallback, sign-in
//! links by email. The first two steps are one form that works without
//! script; `page.js` shows them one at a time.

use crate::components::Loaded;
use crate::domain::volunteers::{Citizenship, NewcomerForm};
use crate::domain::{AppError, Id};
use crate::i18n::{long_date, t, t_with};
use crate::signup::{open_link, JoinData};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// How many accounts one network address may create an hour (a recruiting
/// evening on the town hall's guest Wi-Fi).
pub const REGISTRATIONS_PER_CLIENT_PER_HOUR: i64 = 60;
/// How long a newcomer's seat is held while they prove their address (and
/// how long the link that proves it works).
pub const HOLD_MINUTES: i64 = 120;

/// Creates the volunteer and their account and holds the seat they picked
/// (or puts them in its standby queue, when it was taken meanwhile), then
/// mails a link to the address. Only that link (or a code sent to their
/// number) signs them in: nobody gets a session, a passkey or a seat for an
/// address they do not hold. The account is made only when everything is
/// valid and the person may take that shift.
#[server(endpoint = "signup/register")]
pub async fn register(
    token: String,
    station_id: String,
    day: String,
    task_type_id: String,
    /// The version of the privacy text the form showed.
    #[server(default)]
    privacy_version: String,
    form: NewcomerForm,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::volunteers::{Declaration, Language};
        let ctx = crate::server::context()?;
        if crate::server::current_user().await?.is_some() {
            return Err(AppError::refused("signup.signed_in_already"));
        }
        let link = crate::signup::live_link(&ctx, &token).await?;
        let cell = match station_id.trim() {
            "" => None,
            raw => Some(crate::signup::cell_choice(
                crate::domain::forms::id("station_id", raw)?,
                &day,
                crate::domain::forms::id("task_type_id", &task_type_id)?,
            )?),
        };
        // Consent counts only for the words the person read: a text
        // published while they filled in the form must be read first.
        let privacy = crate::privacy::in_force(&ctx).await?;
        if privacy_version.trim() != privacy.version {
            return Err(AppError::invalid("consent", "privacy.changed"));
        }
        let now = ctx.now();
        let language = match crate::request_locale() {
            crate::i18n::Locale::En => Language::En,
            crate::i18n::Locale::Da => Language::Da,
        };
        let new = form.parse(
            &ctx.settings.municipality_code,
            language,
            ctx.today(),
            (now, privacy.version),
        )?;
        if let Some(cell) = cell {
            let declaration = Declaration::declared(
                new.birth_date,
                &new.municipality_code,
                new.citizenship,
                new.under_guardianship,
            );
            crate::shifts::refuse_by_declaration(
                &ctx,
                &declaration,
                link.election_id,
                cell.task_type_id,
                cell.day,
            )
            .await?;
        }
        let by_client = format!("register:client:{}", crate::server::client_ip());
        if !ctx
            .storage
            .allow_attempt(&by_client, now, 3600, REGISTRATIONS_PER_CLIENT_PER_HOUR)
            .await?
        {
            return Err(AppError::refused("auth.rate_limited"));
        }
        let (user_id, volunteer_id) = ctx
            .storage
            .register_volunteer(&new, link.team_id, now)
            .await?;
        crate::server::audit(
            &ctx,
            None,
            crate::domain::audit::AuditAction::Registered,
            new.email.as_str(),
            &format!("link {}", link.id),
        )
        .await;
        let token = token.trim();
        let held_until = now + HOLD_MINUTES * 60;
        let mut next = format!("/join/{token}/welcome");
        let mut held = None;
        if let Some(cell) = cell {
            let volunteer = ctx.storage.get_volunteer(volunteer_id).await?;
            // Eligibility for the cell was judged above, from the same declaration.
            next = match ctx
                .storage
                .hold_seat(&link, cell, volunteer_id, now, held_until)
                .await
            {
                Ok(seat) => {
                    held = Some(held_until);
                    format!("{next}?seat={seat}")
                }
                // Taken while they typed (or full from the start): the queue.
                Err(AppError::Refused { key, .. }) if key == "signup.gone" => {
                    match crate::signup::queue_for(&ctx, &link, &volunteer, cell).await {
                        Ok(place) => format!("{next}?standby={place}"),
                        Err(_) => format!("{next}?gone=1"),
                    }
                }
                Err(_) => format!("{next}?gone=1"),
            };
        }
        crate::auth::send_sign_in_link_for(
            &ctx,
            crate::auth::SignInMail {
                user_id,
                name: &new.name,
                email: new.email.as_str(),
                intro: "mail.confirm_text",
                next: Some(&next),
                valid_secs: HOLD_MINUTES * 60,
            },
        )
        .await?;
        let mut check = url::form_urlencoded::Serializer::new(format!("/join/{token}/check?"));
        check.append_pair("email", new.email.as_str());
        check.append_pair("next", &next);
        if let Some(until) = held {
            check.append_pair("held", &until.to_string());
        }
        crate::server::redirect_to(&check.finish());
        Ok(())
    })
    .await
}

/// A newcomer proved their address or number (signed in with the link or
/// code sent to it): the seats held for them become theirs, each confirmed
/// by a message. A hold that ran out meanwhile has gone to someone else.
#[cfg(feature = "ssr")]
pub async fn confirm_holds(
    ctx: &crate::server::ServerContext,
    volunteer_id: Id,
) -> Result<(), AppError> {
    for seat_id in ctx.storage.held_seats(volunteer_id).await? {
        let seat = ctx.storage.seat_details(seat_id).await?;
        if let Err(error) = crate::shifts::answer_for(ctx, &seat, true, "").await {
            leptos::logging::warn!("a held seat could not be confirmed: {error:?}");
        }
    }
    ctx.storage.release_holds(volunteer_id).await
}

/// Whether the seat a newcomer picked is theirs now (the welcome page asks:
/// a hold that ran out before they confirmed has gone on).
#[server(endpoint = "signup/seat_is_mine")]
pub async fn seat_is_mine(seat_id: Id) -> Result<bool, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        // A seat that is not theirs and one that does not exist look alike.
        match ctx.storage.seat_details(seat_id).await {
            Ok(seat) => Ok(seat.volunteer_id == Some(volunteer_id)
                && seat.status == crate::domain::seats::SeatStatus::Accepted),
            Err(AppError::NotFound) => Ok(false),
            Err(error) => Err(error),
        }
    })
    .await
}

/// Mails the signed-in person a sign-in link: the fallback for a phone
/// without passkeys, and proof that the address reaches them.
#[server(endpoint = "signup/email_link")]
pub async fn email_me_a_link() -> Result<String, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let by_address = format!("link:address:{}", user.email);
        if !ctx
            .storage
            .allow_attempt(
                &by_address,
                ctx.now(),
                3600,
                crate::auth::LINKS_PER_ADDRESS_PER_HOUR,
            )
            .await?
        {
            return Err(AppError::refused("auth.rate_limited"));
        }
        crate::auth::send_sign_in_link(
            &ctx,
            user.id,
            &user.name,
            &user.email,
            "mail.signin_text",
            None,
        )
        .await?;
        crate::server::redirect_back(&[("emailed", "1")]);
        Ok(user.email)
    })
    .await
}

// ---------------------------------------------------------------- pages

/// The cell picked on the link's page, from `?station=…&day=…&task=…`.
fn picked_cell() -> (String, String, String) {
    let query = leptos_router::hooks::use_query_map();
    let query = query.read_untracked();
    let get = |k: &str| query.get(k).unwrap_or_default();
    (get("station"), get("day"), get("task"))
}

/// Steps 1 and 2: details and consent.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let data = Resource::new(token, open_link);
    view! {
        <Loaded
            resource=data
            error_title="signup.link_problem"
            view={move |d: JoinData| view! { <RegisterForm data=d token=token()/> }}
        />
    }
}

#[component]
fn RegisterForm(data: JoinData, token: String) -> impl IntoView {
    let (station, day, task) = picked_cell();
    let picked = data
        .cells
        .iter()
        .find(|c| {
            c.station_id.to_string() == station
                && c.day.to_string() == day
                && c.task_type_id.to_string() == task
        })
        .cloned();
    // Both steps are one plain form; public/page.js shows them one at a
    // time (`data-step…`), and a refusal comes back on the page (`__err`).
    let title = t("newcomer.title");
    let municipality = data.municipality.clone();
    let sign_in = format!("/signin?next=/join/{token}");
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p>{t_with("newcomer.intro", &[("team", &data.team), ("election", &data.election)])}</p>
        {picked.map(|c| view! {
            <div class="card" role="note">
                <p>{t("newcomer.picked")}</p>
                <p><strong>{c.task_type.clone()}</strong> " · " {c.station.clone()}</p>
                <p>{long_date(c.day)} " " {c.start_time.format("%H:%M").to_string()} "–" {c.end_time.format("%H:%M").to_string()}</p>
            </div>
        })}
        <form class="form" method="post" action=Register::url() data-steps="">
            <input type="hidden" name="token" value=token.clone()/>
            <input type="hidden" name="station_id" value=station/>
            <input type="hidden" name="day" value=day/>
            <input type="hidden" name="task_type_id" value=task/>
            <input type="hidden" name="privacy_version" value=data.privacy_version.clone()/>
            <section class="card" data-step="1" aria-labelledby="step-1">
                <h2 id="step-1">{t("newcomer.step1")}</h2>
                <NewcomerField name="form[name]" label="field.name" autocomplete="name"/>
                <NewcomerField name="form[email]" label="field.email" kind="email" autocomplete="email"/>
                <NewcomerField name="form[phone]" label="field.phone" kind="tel" autocomplete="tel" hint="newcomer.phone_hint"/>
                <NewcomerField name="form[birth_date]" label="field.birth_date" kind="date" autocomplete="bday"/>
                <NewcomerField name="form[address]" label="field.address" autocomplete="street-address"/>
                <NewcomerField name="form[postal_code]" label="field.postal_code" autocomplete="postal-code" numeric=true/>
                <NewcomerField name="form[city]" label="field.city" autocomplete="address-level2"/>
                <YesNo name="form[resident]" legend=t_with("newcomer.resident", &[("municipality", &municipality)])/>
                <fieldset class="choice-group">
                    <legend>{t("newcomer.citizenship")}</legend>
                    {Citizenship::ALL.into_iter().map(|c| {
                        let id = format!("citizenship-{}", c.as_str());
                        view! {
                            <div class="field-inline">
                                <input type="radio" id=id.clone() name="form[citizenship]" value=c.as_str() required=true/>
                                <label for=id>{t(&format!("citizenship.{}", c.as_str()))}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <YesNo name="form[guardianship]" legend=t("newcomer.guardianship")/>
                {(!data.diets.is_empty()).then(|| view! {
                    <fieldset class="choice-group">
                        <legend>{t("newcomer.diets")}</legend>
                        {data.diets.iter().map(|(id, name)| {
                            let field = format!("diet-{id}");
                            view! {
                                <div class="field-inline">
                                    <input type="checkbox" id=field.clone() name="form[diets][]" value=id.to_string()/>
                                    <label for=field>{name.clone()}</label>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                })}
                <div class="form-actions" data-step-next="" hidden=true>
                    <button type="button" class="btn btn-primary">{t("newcomer.next")}</button>
                </div>
            </section>
            <section class="card" data-step="2" aria-labelledby="step-2">
                <h2 id="step-2" tabindex="-1">{t("newcomer.step2")}</h2>
                <crate::privacy::PrivacyParagraphs text=data.privacy_text.clone()/>
                <p class="muted">{t_with("privacy.version", &[("version", &data.privacy_version)])}</p>
                <div class="field-inline">
                    <input type="checkbox" id="consent" name="form[consent]" required=true/>
                    <label for="consent">{t_with("newcomer.consent", &[("municipality", &data.municipality)])}</label>
                </div>
                <div class="form-actions">
                    <button type="button" class="btn btn-secondary" data-step-back="" hidden=true>
                        {t("newcomer.back")}
                    </button>
                    <button type="submit" class="btn btn-primary">{t("newcomer.create")}</button>
                </div>
            </section>
        </form>
        <p>{t("signup.have_account")} " " <a href=sign_in>{t("auth.sign_in")}</a></p>
    }
}

#[component]
fn NewcomerField(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] numeric: bool,
) -> impl IntoView {
    let id = name.replace(['[', ']'], "-").trim_matches('-').to_string();
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <input id=id name=name type=kind required=true autocomplete=autocomplete
                inputmode=numeric.then_some("numeric") aria-describedby=described/>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{t(h)}</p> })}
        </div>
    }
}

/// A required yes/no question as two radio buttons.
#[component]
fn YesNo(name: &'static str, legend: String) -> impl IntoView {
    let base = name.replace(['[', ']'], "-").trim_matches('-').to_string();
    view! {
        <fieldset class="choice-group">
            <legend>{legend}</legend>
            {["yes", "no"].into_iter().map(|value| {
                let id = format!("{base}-{value}");
                view! {
                    <div class="field-inline">
                        <input type="radio" id=id.clone() name=name value=value required=true/>
                        <label for=id>{t(&format!("common.{value}"))}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// Between steps 2 and 3: the link to prove the address is on its way
/// (`?email=…&next=…`, and `held=` the seat's deadline when one is held);
/// a code by SMS proves the number instead.
#[component]
pub fn CheckMailPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let q = query.read_untracked();
    let email = q.get("email").unwrap_or_default();
    let next = q
        .get("next")
        .as_deref()
        .and_then(crate::domain::forms::local_path);
    let held = q.get("held").and_then(|h| h.parse::<i64>().ok());
    let title = t("newcomer.check_title");
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <div class="alert alert-success" role="status">
            <p>{t_with("newcomer.check_sent", &[("email", &email)])}</p>
        </div>
        {held.map(|at| view! {
            <p>{t_with("newcomer.check_held", &[("when", &crate::i18n::date_time_at(at))])}</p>
        })}
        <p>{t("newcomer.check_why")}</p>
        <section class="card">
            <crate::auth::SmsCodeOption next=next/>
        </section>
    }
}

/// Step 3, after the address is proved: a passkey, or email links instead.
#[component]
pub fn WelcomePage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let picked = query
        .read_untracked()
        .get("seat")
        .and_then(|s| s.parse::<Id>().ok());
    // A hold that ran out before the newcomer confirmed went on to others.
    let mine = Resource::new(
        move || picked,
        |seat| async move {
            match seat {
                Some(seat) => seat_is_mine(seat).await.unwrap_or(false),
                None => false,
            }
        },
    );
    // Read inside <Suspense/> only: it waits for `mine`.
    let outcome = move || {
        let q = query.read();
        if q.get("seat").and_then(|s| s.parse::<Id>().ok()).is_some() {
            if mine.get() == Some(false) {
                t("newcomer.hold_lapsed")
            } else {
                t("newcomer.got_seat")
            }
        } else if let Some(place) = q.get("standby") {
            t_with("newcomer.in_queue", &[("n", &place)])
        } else if q.get("gone").is_some() {
            t("newcomer.seat_gone")
        } else {
            t("newcomer.on_team")
        }
    };
    let onward = move || match picked {
        Some(seat) => format!("/my-shifts#seat-{seat}"),
        None => "/my-shifts".to_string(),
    };
    // After "email me links instead": to the address of the account.
    let emailed = crate::components::query_flag("emailed");
    let user = use_context::<crate::components::UserResource>();
    let sent_to = move || {
        user.and_then(|u| u.0.get())
            .and_then(|r| r.ok())
            .flatten()
            .map(|u| u.email)
    };
    let title = t("newcomer.welcome");
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
            <div class="alert alert-success" role="status"><p>{outcome}</p></div>
        </Suspense>
        <section class="card" aria-labelledby="step-3">
            <h2 id="step-3">{t("newcomer.step3")}</h2>
            <p>{t("newcomer.passkey_explained")}</p>
            <crate::passkeys::PasskeyCreate then="/my-shifts"/>
            <h3>{t("newcomer.no_passkey")}</h3>
            <p>{t("newcomer.email_explained")}</p>
            {emailed.then(|| view! {
                <Suspense fallback=|| ()>
                    {move || sent_to().map(|address| view! {
                        <div class="alert alert-success" role="status">
                            <p>{t_with("newcomer.email_sent", &[("email", &address)])}</p>
                        </div>
                    })}
                </Suspense>
            })}
            <form method="post" action=EmailMeALink::url()>
                <button type="submit" class="btn btn-secondary">{t("newcomer.email_me")}</button>
            </form>
        </section>
        <p><a class="btn btn-primary" href=onward()>{t("newcomer.to_my_shifts")}</a></p>
    }
}
