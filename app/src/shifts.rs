//! Invitations to seats and the answers to them. A coordinator invites a
//! volunteer to an open seat with a deadline; the volunteer accepts or
//! declines — on their page, or straight from the notification. Each change
//! writes its message to the outbox in the same transaction.

use crate::domain::{AppError, Id};
use leptos::prelude::*;

/// Longest answer deadline a coordinator can give.
pub const MAX_RESPOND_DAYS: i64 = 30;

#[server(endpoint = "shifts/invite")]
pub async fn invite_to_seat(
    seat_id: Id,
    email: String,
    respond_days: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_area_planner().await?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        crate::server::allow(user.can_plan_area(seat.area_id))?;
        let email = crate::domain::volunteers::EmailAddress::parse("email", &email)?;
        let days =
            crate::domain::forms::int_in("respond_days", &respond_days, 1, MAX_RESPOND_DAYS)?;
        let volunteer_id = ctx
            .storage
            .find_volunteer_by_email(email.as_str())
            .await?
            .ok_or_else(|| AppError::invalid("email", "shifts.no_such_volunteer"))?;
        let volunteer = eligible_for(&ctx, volunteer_id, &seat).await?;
        let back = crate::rosters::seat_on_roster(seat.station_id, seat.election_id, seat_id);
        invite(&ctx, seat, &volunteer, ctx.now() + days * 86_400).await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&back);
        Ok(())
    })
    .await
}

/// Invites `volunteer` to an open seat with the answer due by `respond_by`,
/// the invitation message written with it. Eligibility is the caller's.
#[cfg(feature = "ssr")]
pub async fn invite(
    ctx: &crate::server::ServerContext,
    seat: crate::domain::seats::SeatDetails,
    volunteer: &crate::domain::volunteers::Volunteer,
    respond_by: i64,
) -> Result<(), AppError> {
    let fill = invitation(ctx, seat, volunteer, respond_by);
    ctx.storage.fill_seats(&[fill], ctx.now()).await
}

/// The invitation of `volunteer` to `seat`, to be written by `fill_seats`.
#[cfg(feature = "ssr")]
pub fn invitation(
    ctx: &crate::server::ServerContext,
    seat: crate::domain::seats::SeatDetails,
    volunteer: &crate::domain::volunteers::Volunteer,
    respond_by: i64,
) -> crate::server::storage::SeatFill {
    use crate::domain::notifications::MessageKind;
    let now = ctx.now();
    // The answer is due before the shift at the latest (storage holds to it).
    let starts = crate::i18n::copenhagen_to_unix(seat.day, seat.start_time);
    let respond_by = respond_by.min(starts);
    let mut seat = seat.with_volunteer(volunteer);
    seat.respond_by = Some(respond_by);
    let message = seat_message(
        &ctx.settings.public_url,
        &seat,
        MessageKind::Invitation,
        &format!("{now}"),
    );
    crate::server::storage::SeatFill {
        seat_id: seat.seat_id,
        volunteer_id: volunteer.id,
        status: crate::domain::seats::SeatStatus::Invited,
        respond_by: Some(respond_by),
        message: Some(message),
    }
}

/// The signed-in volunteer answers an invitation: "accept" or "decline".
#[server(endpoint = "shifts/answer")]
pub async fn answer_invitation(
    seat_id: Id,
    answer: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let accept = match answer.trim() {
            "accept" => true,
            "decline" => false,
            _ => return Err(AppError::invalid("answer", "error.unknown_choice")),
        };
        let reason =
            crate::domain::forms::optional_text("reason", reason.as_deref().unwrap_or(""), 500)?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        if seat.volunteer_id != Some(volunteer_id) {
            return Err(AppError::NotFound);
        }
        answer_for(&ctx, &seat, accept, &reason).await?;
        crate::server::redirect_to(&format!("/my-shifts#seat-{seat_id}"));
        Ok(())
    })
    .await
}

/// The person invited to `seat` answers (signed in, or through their answer
/// link): it becomes theirs, with a confirmation message, or opens again.
#[cfg(feature = "ssr")]
pub async fn answer_for(
    ctx: &crate::server::ServerContext,
    seat: &crate::domain::seats::SeatDetails,
    accept: bool,
    reason: &str,
) -> Result<(), AppError> {
    use crate::domain::notifications::MessageKind;
    let volunteer_id = seat.volunteer_id.ok_or(AppError::NotFound)?;
    let now = ctx.now();
    let message = accept.then(|| {
        seat_message(
            &ctx.settings.public_url,
            seat,
            MessageKind::RegistrationConfirmation,
            &format!("{now}"),
        )
    });
    ctx.storage
        .answer_invitation(
            seat.seat_id,
            volunteer_id,
            accept,
            reason,
            now,
            message.as_ref(),
        )
        .await?;
    (ctx.wake_outbox)();
    Ok(())
}

/// Refuses a person the election type does not allow on a shift of this
/// task type on `day` (age on that very day, residence, citizenship,
/// guardianship), naming the reason; task types with the checks off pass.
#[cfg(feature = "ssr")]
pub async fn refuse_ineligible(
    ctx: &crate::server::ServerContext,
    volunteer: &crate::domain::volunteers::Volunteer,
    election_id: Id,
    task_type_id: Id,
    day: chrono::NaiveDate,
) -> Result<(), AppError> {
    let facts = volunteer.eligibility_facts();
    refuse_by_declaration(ctx, &facts, election_id, task_type_id, day).await
}

/// [`refuse_ineligible`] from a declaration alone (a newcomer not yet stored).
#[cfg(feature = "ssr")]
pub async fn refuse_by_declaration(
    ctx: &crate::server::ServerContext,
    declaration: &crate::domain::volunteers::Declaration<'_>,
    election_id: Id,
    task_type_id: Id,
    day: chrono::NaiveDate,
) -> Result<(), AppError> {
    let Some(rules) = eligibility_rules(ctx.storage.as_ref(), election_id, task_type_id).await?
    else {
        return Ok(());
    };
    crate::domain::volunteers::check_eligibility(
        &rules,
        declaration,
        day,
        &ctx.settings.municipality_code,
    )
    .map_err(|reason| AppError::refused(reason.key()))
}

/// The rules a shift of this task type in this election asks of a person;
/// `None` when the task type has the checks turned off.
#[cfg(feature = "ssr")]
pub async fn eligibility_rules(
    storage: &dyn crate::server::Storage,
    election_id: Id,
    task_type_id: Id,
) -> Result<Option<crate::domain::elections::EligibilityRules>, AppError> {
    let task = storage.get_task_type(task_type_id).await?;
    if task.eligibility_checks_off {
        return Ok(None);
    }
    let election = storage.get_election(election_id).await?;
    let election_type = storage.get_election_type(election.election_type_id).await?;
    Ok(Some(election_type.rules))
}

/// The volunteer, if they may take `seat` (see [`refuse_ineligible`]).
#[cfg(feature = "ssr")]
pub async fn eligible_for(
    ctx: &crate::server::ServerContext,
    volunteer_id: Id,
    seat: &crate::domain::seats::SeatDetails,
) -> Result<crate::domain::volunteers::Volunteer, AppError> {
    let volunteer = ctx.storage.get_volunteer(volunteer_id).await?;
    refuse_ineligible(
        ctx,
        &volunteer,
        seat.election_id,
        seat.task_type_id,
        seat.day,
    )
    .await?;
    Ok(volunteer)
}

/// A message about a seat to the person on it. `occasion` makes the
/// idempotency key unique per event (an invitation's time, a reminder's day).
#[cfg(feature = "ssr")]
pub fn seat_message(
    public_url: &str,
    seat: &crate::domain::seats::SeatDetails,
    kind: crate::domain::notifications::MessageKind,
    occasion: &str,
) -> crate::server::storage::NewMessage {
    crate::server::storage::NewMessage {
        idempotency_key: format!(
            "{}:seat:{}:{}:{occasion}",
            kind.as_str(),
            seat.seat_id,
            seat.volunteer_id.unwrap_or_default()
        ),
        user_id: None,
        volunteer_id: seat.volunteer_id,
        kind,
        election_id: Some(seat.election_id),
        task_type_id: Some(seat.task_type_id),
        seat_id: Some(seat.seat_id),
        params: crate::notifications::seat_params(seat, public_url),
    }
}

/// One of the volunteer's own shifts, with what they may do about it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MyShift {
    pub seat: crate::domain::seats::SeatDetails,
    /// Accepted, and the lock period has not begun.
    pub can_cancel: bool,
    /// Accepted, and inside the lock period: only the office can help.
    pub locked: bool,
    /// For an accepted coming shift: the check-in code, and its QR (SVG).
    pub checkin: Option<(String, String)>,
    /// Accepted and today: the volunteer can say they are late or cannot come.
    pub today: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MyShifts {
    pub upcoming: Vec<MyShift>,
    pub past: Vec<MyShift>,
    pub office_phone: String,
    pub office_email: String,
    pub calendar_feed: bool,
    /// Standby queues the volunteer waits in.
    pub standby: Vec<crate::domain::signup::StandbyPlace>,
    /// Open seats offered to them by a call for cover, with when each call
    /// runs out.
    pub cover: Vec<(crate::domain::seats::SeatDetails, i64)>,
}

#[server(endpoint = "shifts/mine")]
pub async fn load_my_shifts() -> Result<MyShifts, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let today = ctx.today();
        let own = ctx.storage.own_shifts(volunteer_id, ctx.now()).await?;
        let (mut upcoming, mut past) = (Vec::new(), Vec::new());
        for seat in own.seats {
            let accepted = seat.status == crate::domain::seats::SeatStatus::Accepted;
            let open = crate::domain::elections::may_self_cancel(seat.day, today, seat.lock_days);
            let checkin = if accepted && seat.day >= today {
                let code = crate::checkin::code_for(&ctx, seat.seat_id, volunteer_id).await?;
                let url = format!("{}/checkin/{code}", ctx.settings.public_url);
                crate::checkin::qr_svg(&url).map(|svg| (code, svg))
            } else {
                None
            };
            let shift = MyShift {
                can_cancel: accepted && open,
                locked: accepted && !open,
                today: accepted && seat.day == today,
                checkin,
                seat,
            };
            if shift.seat.day >= today {
                upcoming.push(shift);
            } else {
                past.push(shift);
            }
        }
        past.reverse();
        Ok(MyShifts {
            upcoming,
            past,
            office_phone: ctx.settings.office_phone.clone(),
            office_email: ctx.settings.office_email.clone(),
            calendar_feed: own.calendar_feed,
            standby: own.standby,
            cover: own.cover,
        })
    })
    .await
}

/// The volunteer gives up an accepted shift before the lock period.
#[server(endpoint = "shifts/cancel")]
pub async fn cancel_shift(seat_id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::notifications::MessageKind;
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        if seat.volunteer_id != Some(volunteer_id) {
            return Err(AppError::NotFound);
        }
        let now = ctx.now();
        let message = seat_message(
            &ctx.settings.public_url,
            &seat,
            MessageKind::CancellationConfirmation,
            &format!("{now}"),
        );
        ctx.storage
            .cancel_shift(seat_id, volunteer_id, ctx.today(), now, Some(&message))
            .await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to("/my-shifts");
        Ok(())
    })
    .await
}

/// A new private calendar address (the old one stops working). The address
/// is shown once: only a hash of its secret is kept.
#[server(endpoint = "calendar/new_feed")]
pub async fn new_calendar_feed() -> Result<String, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let secret = (ctx.new_secret)();
        ctx.storage
            .set_calendar_token(volunteer_id, &(ctx.hasher)(&secret), ctx.now())
            .await?;
        Ok(format!(
            "{}/calendar/feed/{secret}",
            ctx.settings.public_url
        ))
    })
    .await
}

#[server(endpoint = "calendar/stop_feed")]
pub async fn stop_calendar_feed() -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        ctx.storage.delete_calendar_token(volunteer_id).await?;
        crate::server::redirect_to("/my-shifts");
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

use crate::components::Loaded;
use crate::i18n::{date_time_at, long_date, t, t_with};
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// A volunteer's own shifts: what, where, when, and what to do about them.
#[component]
pub fn MyShiftsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_my_shifts());
    let query = leptos_router::hooks::use_query_map();
    let reported = move || query.read().get("reported").is_some();
    view! {
        <Title text=t("myshifts.title")/>
        <h1>{t("myshifts.title")}</h1>
        {move || reported().then(|| view! {
            <div class="alert alert-success" role="status"><p>{t("checkin.reported")}</p></div>
        })}
        <Loaded resource=data view={move |d: MyShifts| view! {
            // Follows the person's seats: an invitation from the office, a
            // seat moved or freed, shows without a reload.
            <div id="my-shifts-live" data-live-events="/my-shifts/events">
            <section aria-labelledby="upcoming-heading">
                <h2 id="upcoming-heading">{t("myshifts.upcoming")}</h2>
                {if d.upcoming.is_empty() {
                    view! { <p class="empty">{t("myshifts.none")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="roster">
                            {d.upcoming.iter().cloned().map(|s| view! { <ShiftCard shift=s office=d.office_phone.clone()/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            {(!d.cover.is_empty()).then(|| view! {
                <section aria-labelledby="cover-heading">
                    <h2 id="cover-heading">{t("cover.offers")}</h2>
                    <p>{t("cover.offers_explained")}</p>
                    <ul class="roster">
                        {d.cover.iter().cloned().map(|(seat, expires_at)| view! {
                            <crate::cover::CoverCard seat open=true expires_at/>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {(!d.standby.is_empty()).then(|| view! {
                <section aria-labelledby="standby-heading">
                    <h2 id="standby-heading">{t("standby.title")}</h2>
                    <p>{t("standby.explained")}</p>
                    <ul class="roster">
                        {d.standby.iter().cloned().map(|p| view! { <StandbyCard place=p/> }).collect_view()}
                    </ul>
                </section>
            })}
            </div>
            <section class="card" aria-labelledby="office-heading">
                <h2 id="office-heading">{t("myshifts.office")}</h2>
                <p class="contact-links">
                    <a class="btn btn-secondary btn-small" href=format!("tel:{}", d.office_phone)>{t("myshifts.call")} " " {d.office_phone.clone()}</a>
                    <a class="btn btn-secondary btn-small" href=format!("mailto:{}", d.office_email)>{d.office_email.clone()}</a>
                </p>
            </section>
            <CalendarFeed has_feed=d.calendar_feed/>
            {(!d.past.is_empty()).then(|| view! {
                <section aria-labelledby="past-heading">
                    <h2 id="past-heading">{t("myshifts.past")}</h2>
                    <ul class="roster">
                        {d.past.iter().cloned().map(|s| view! { <ShiftCard shift=s office=d.office_phone.clone()/> }).collect_view()}
                    </ul>
                </section>
            })}
        }}/>
    }
}

#[component]
fn ShiftCard(shift: MyShift, office: String) -> impl IntoView {
    let s = shift.seat.clone();
    let map = match (s.latitude, s.longitude) {
        (Some(lat), Some(lon)) => {
            format!("https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}")
        }
        _ => format!(
            "https://www.openstreetmap.org/search?query={}",
            s.address.replace(' ', "+")
        ),
    };
    let when = format!(
        "{} {}–{}",
        long_date(s.day),
        s.start_time.format("%H:%M"),
        s.end_time.format("%H:%M")
    );
    let invited = s.status == crate::domain::seats::SeatStatus::Invited;
    view! {
        <li class="card roster-line" id=format!("seat-{}", s.seat_id)>
            <h3 class="member-name">{s.task_type.clone()} " " <crate::volunteers::StatusBadge status=s.status/></h3>
            <p><strong>{when}</strong></p>
            <p>{s.station_name.clone()} ", " {s.address.clone()} " "
                <a href=map rel="noopener" target="_blank">{t("myshifts.map")}<span class="visually-hidden">" " {s.station_name.clone()}</span></a>
            </p>
            <p class="muted">{s.election_title.clone()} " · " {s.team.clone()} " · "
                {t("common.dkk").replace("{n}", &s.payment_dkk.to_string())}</p>
            {(!s.task_description.is_empty()).then(|| view! { <p>{s.task_description.clone()}</p> })}
            {invited.then(|| view! {
                <p>{t_with("myshifts.answer_by", &[("when", &s.respond_by.map(date_time_at).unwrap_or_default())])}</p>
                <AnswerForms seat_id=s.seat_id/>
            })}
            {shift.checkin.clone().map(|(code, svg)| view! {
                <details class="checkin-qr">
                    <summary class="btn btn-secondary btn-small">{t("checkin.show_qr")}</summary>
                    <p class="hint">{t("checkin.qr_explained")}</p>
                    <div class="qr" data-code=code role="img" aria-label=t("checkin.qr_label") inner_html=svg></div>
                </details>
            })}
            <p><a class="btn btn-secondary btn-small" href=format!("/calendar/shift/{}", s.seat_id) download="vagt.ics">
                {t("myshifts.add_to_calendar")}<span class="visually-hidden">" – " {s.task_type.clone()}</span>
            </a></p>
            {shift.can_cancel.then(|| view! {
                <details class="confirm-delete">
                    <summary class="btn btn-danger btn-small">{t("myshifts.cancel")}</summary>
                    <form method="post" action=CancelShift::url()>
                        <input type="hidden" name="seat_id" value=s.seat_id.to_string()/>
                        <p>{t("myshifts.cancel_explained")}</p>
                        <button type="submit" class="btn btn-danger btn-small">{t("myshifts.cancel_yes")}</button>
                    </form>
                </details>
            })}
            {shift.today.then(|| view! { <OnTheDay seat_id=s.seat_id/> })}
            {shift.locked.then(|| view! {
                <p class="hint">{t("myshifts.locked")} " "
                    <a href=format!("tel:{office}")>{t("myshifts.call")} " " {office.clone()}</a>
                </p>
            })}
        </li>
    }
}

/// On the shift's own day: "I'm delayed" or "I can't come", each with a
/// short note for the station.
#[component]
fn OnTheDay(seat_id: Id) -> impl IntoView {
    let seat = seat_id.to_string();
    let form = move |what: &'static str,
                     summary: &'static str,
                     hint: &'static str,
                     button: &'static str| {
        let field = format!("{what}-note-{seat}");
        view! {
            <details class="confirm-delete">
                <summary class="btn btn-secondary btn-small">{t(summary)}</summary>
                // Without a network page.js keeps the report on the phone
                // and sends it when there is one (`data-queue`).
                <form class="form" method="post" action=crate::checkin::ReportOnTheDay::url()
                    data-queue=t("checkin.queued")>
                    <input type="hidden" name="seat_id" value=seat.clone()/>
                    <input type="hidden" name="what" value=what/>
                    <div class="field">
                        <label for=field.clone()>{t(hint)}</label>
                        <input id=field name="note" type="text" maxlength="200"/>
                    </div>
                    <button type="submit" class="btn btn-primary btn-small">{t(button)}</button>
                </form>
            </details>
        }
    };
    view! {
        <div class="answer">
            {form("delayed", "checkin.delayed", "checkin.delayed_note", "checkin.send_delayed")}
            {form("cannot_come", "checkin.cannot_come", "checkin.cannot_come_note", "checkin.send_cannot_come")}
        </div>
    }
}

/// A place in a standby queue, with the way out of it.
#[component]
fn StandbyCard(place: crate::domain::signup::StandbyPlace) -> impl IntoView {
    let when = format!(
        "{} {}–{}",
        long_date(place.day),
        place.start_time.format("%H:%M"),
        place.end_time.format("%H:%M")
    );
    view! {
        <li class="card roster-line" id=format!("standby-{}", place.id)>
            <h3 class="member-name">{place.task_type.clone()} " "
                <span class="badge badge-standby">{t_with("standby.badge", &[("n", &place.place.to_string())])}</span>
            </h3>
            <p><strong>{when}</strong></p>
            <p>{place.station.clone()} ", " {place.address.clone()}</p>
            <p class="muted">{place.election.clone()} " · " {place.team.clone()}</p>
            <form method="post" action=crate::signup::LeaveStandby::url()>
                <input type="hidden" name="id" value=place.id.to_string()/>
                <button type="submit" class="btn btn-secondary btn-small">
                    {t("standby.leave")}<span class="visually-hidden">" – " {place.task_type.clone()}</span>
                </button>
            </form>
        </li>
    }
}

/// Accept and decline for an open invitation; plain forms, so they work
/// before the wasm has loaded.
#[component]
pub fn AnswerForms(seat_id: Id) -> impl IntoView {
    let seat = seat_id.to_string();
    view! {
        <div class="answer">
            <form method="post" action=AnswerInvitation::url()>
                <input type="hidden" name="seat_id" value=seat.clone()/>
                <input type="hidden" name="answer" value="accept"/>
                <button type="submit" class="btn btn-primary btn-small">{t("shifts.accept")}</button>
            </form>
            <details>
                <summary class="btn btn-secondary btn-small">{t("shifts.decline")}</summary>
                <form class="form" method="post" action=AnswerInvitation::url()>
                    <input type="hidden" name="seat_id" value=seat.clone()/>
                    <input type="hidden" name="answer" value="decline"/>
                    <div class="field">
                        <label for=format!("reason-{seat}")>{t("shifts.reason")}</label>
                        <input id=format!("reason-{seat}") name="reason" type="text" maxlength="500"/>
                    </div>
                    <button type="submit" class="btn btn-danger btn-small">{t("shifts.decline_yes")}</button>
                </form>
            </details>
        </div>
    }
}

/// The private calendar feed. Its address is shown once, when it is made
/// (the server keeps only a hash): `page.js` posts the form and puts the
/// answer in the field named by `data-answer` (this is a phone page,
/// without wasm).
#[component]
fn CalendarFeed(has_feed: bool) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="calendar-heading">
            <h2 id="calendar-heading">{t("myshifts.calendar")}</h2>
            <p>{t("myshifts.calendar_explained")}</p>
            <div class="field" data-answer-box="calendar-url" hidden=true>
                <label for="calendar-url">{t("myshifts.calendar_url")}</label>
                <input id="calendar-url" type="text" readonly=true/>
                <p class="hint">{t("myshifts.calendar_once")}</p>
            </div>
            {has_feed.then(|| view! { <p class="muted">{t("myshifts.calendar_on")}</p> })}
            <form method="post" action=NewCalendarFeed::url() data-answer="calendar-url">
                <button type="submit" class="btn btn-primary">
                    {if has_feed { t("myshifts.calendar_renew") } else { t("myshifts.calendar_make") }}
                </button>
            </form>
            {has_feed.then(|| view! {
                <form method="post" action=StopCalendarFeed::url()>
                    <button type="submit" class="btn btn-secondary">{t("myshifts.calendar_stop")}</button>
                </form>
            })}
        </section>
    }
}
