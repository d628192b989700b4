//! Call for cover: a coordinator offers an open seat to a whole group at
//! once (from the seat's candidates page); each of them gets a message
//! linking to `/cover/:seat`, where the first to tap "take it" gets the seat
//! and the others are told it has gone.

use crate::domain::cover::CoverState;
use crate::domain::seats::SeatDetails;
use crate::domain::{AppError, Id};
use crate::i18n::{date_time_at, long_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// A call's message to one person, linking to the seat's cover page.
#[cfg(feature = "ssr")]
fn cover_message(
    ctx: &crate::server::ServerContext,
    seat: &SeatDetails,
    volunteer: &crate::domain::volunteers::Volunteer,
    kind: crate::domain::notifications::MessageKind,
    expires_at: i64,
    occasion: i64,
) -> crate::server::storage::NewMessage {
    let mut seat = seat.clone().with_volunteer(volunteer);
    seat.respond_by = Some(expires_at);
    let mut message =
        crate::shifts::seat_message(&ctx.settings.public_url, &seat, kind, &occasion.to_string());
    let url = format!("{}/cover/{}", ctx.settings.public_url, seat.seat_id);
    for key in ["accept_url", "decline_url", "shift_url"] {
        message.params.insert(key.into(), url.clone());
    }
    message
}

/// Offers an open seat to everyone eligible in `group` (at most
/// [`crate::domain::cover::MAX_RECIPIENTS`], best first) for `hours`, cut
/// short at the end of the shift.
#[server(endpoint = "cover/call")]
pub async fn call_for_cover(seat_id: Id, group: String, hours: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::cover::{MAX_HOURS, MAX_RECIPIENTS};
        use crate::domain::notifications::MessageKind;
        let (ctx, seat, _) = crate::candidates::open_seat(seat_id).await?;
        let user = crate::server::require_user().await?.1;
        let group = crate::domain::cover::CoverGroup::parse("group", &group)?;
        let hours = crate::domain::forms::int_in("hours", &hours, 1, MAX_HOURS)?;
        if !seat.election_active {
            return Err(AppError::refused("cover.inactive"));
        }
        let now = ctx.now();
        let shift_ends = crate::i18n::copenhagen_to_unix(seat.day, seat.end_time);
        if shift_ends <= now {
            return Err(AppError::refused("cover.too_late"));
        }
        let expires_at = (now + hours * 3600).min(shift_ends);
        let chosen: Vec<Id> = crate::candidates::ranked_candidates(&ctx, &seat)
            .await?
            .into_iter()
            .filter(|c| group.includes(c.standby_place, c.team_member))
            .take(MAX_RECIPIENTS)
            .map(|c| c.volunteer_id)
            .collect();
        if chosen.is_empty() {
            return Err(AppError::refused("cover.nobody"));
        }
        let mut messages = Vec::with_capacity(chosen.len());
        for id in &chosen {
            let volunteer = ctx.storage.get_volunteer(*id).await?;
            messages.push(cover_message(
                &ctx,
                &seat,
                &volunteer,
                MessageKind::CoverCall,
                expires_at,
                now,
            ));
        }
        ctx.storage
            .create_cover_call(seat_id, &chosen, user.id, expires_at, now, &messages)
            .await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&format!("/seats/{seat_id}/candidates?called=1"));
        Ok(())
    })
    .await
}

/// A seat offered to the signed-in volunteer, as it stands now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CoverOffer {
    pub seat: SeatDetails,
    pub state: CoverState,
    pub expires_at: i64,
}

/// The signed-in volunteer's call for a seat. A call that did not go to
/// them looks like no call at all.
#[cfg(feature = "ssr")]
async fn my_call(
    seat_id: Id,
) -> Result<
    (
        crate::server::ServerContext,
        Id,
        crate::domain::cover::CoverCall,
    ),
    AppError,
> {
    let (ctx, user) = crate::server::require_user().await?;
    let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
    let call = ctx
        .storage
        .cover_call_for(seat_id, volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((ctx, volunteer_id, call))
}

#[server(endpoint = "cover/load")]
pub async fn load_cover(seat_id: Id) -> Result<CoverOffer, AppError> {
    crate::server::guarded(async move {
        let (ctx, volunteer_id, call) = my_call(seat_id).await?;
        let mut seat = ctx.storage.seat_details(seat_id).await?;
        let state = call.state_for(volunteer_id, seat.status, seat.volunteer_id, ctx.now());
        // Who took it is not theirs to know.
        if seat.volunteer_id != Some(volunteer_id) {
            seat.volunteer_id = None;
            seat.volunteer_name = None;
            seat.volunteer_language = None;
        }
        Ok(CoverOffer {
            seat,
            state,
            expires_at: call.expires_at,
        })
    })
    .await
}

/// The volunteer takes a seat offered to them; the others of the call are
/// told it has gone.
#[server(endpoint = "cover/take")]
pub async fn take_cover(seat_id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, volunteer_id, call) = my_call(seat_id).await?;
        take_for(&ctx, seat_id, volunteer_id, &call).await?;
        crate::server::redirect_to(&format!("/my-shifts#seat-{seat_id}"));
        Ok(())
    })
    .await
}

/// `volunteer_id` takes the seat of a call that went to them (signed in, or
/// through their answer link); the others of the call are told.
#[cfg(feature = "ssr")]
pub async fn take_for(
    ctx: &crate::server::ServerContext,
    seat_id: Id,
    volunteer_id: Id,
    call: &crate::domain::cover::CoverCall,
) -> Result<(), AppError> {
    use crate::domain::notifications::MessageKind;
    let seat = ctx.storage.seat_details(seat_id).await?;
    if !seat.election_active {
        return Err(AppError::refused("cover.closed"));
    }
    let volunteer = crate::shifts::eligible_for(ctx, volunteer_id, &seat).await?;
    let now = ctx.now();
    let mut messages = vec![cover_message(
        ctx,
        &seat,
        &volunteer,
        MessageKind::RegistrationConfirmation,
        call.expires_at,
        now,
    )];
    // The confirmation points at the shift itself.
    let shift_url = format!("{}/my-shifts#seat-{seat_id}", ctx.settings.public_url);
    messages[0].params.insert("shift_url".into(), shift_url);
    for other in call.to_tell(volunteer_id) {
        let other = ctx.storage.get_volunteer(other).await?;
        messages.push(cover_message(
            ctx,
            &seat,
            &other,
            MessageKind::CoverTaken,
            call.expires_at,
            call.id,
        ));
    }
    ctx.storage
        .take_cover(seat_id, volunteer_id, now, &messages)
        .await?;
    (ctx.wake_outbox)();
    Ok(())
}

#[server(endpoint = "cover/decline")]
pub async fn decline_cover(seat_id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        ctx.storage
            .decline_cover(seat_id, volunteer_id, ctx.now())
            .await?;
        crate::server::redirect_to(&format!("/cover/{seat_id}"));
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

/// The page a call's message opens.
#[component]
pub fn CoverPage() -> impl IntoView {
    let id = crate::components::route_id("id");
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_cover(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Title text=t("cover.title")/>
        <h1>{t("cover.title")}</h1>
        <crate::components::Loaded resource=data view=|o: CoverOffer| {
            let state = match o.state {
                CoverState::Open => None,
                CoverState::Yours => Some(("alert-success", "cover.yours")),
                CoverState::Taken => Some(("alert-info", "cover.taken_by_other")),
                CoverState::Declined => Some(("alert-info", "cover.you_declined")),
                CoverState::Closed => Some(("alert-info", "cover.closed")),
            };
            view! {
                {state.map(|(class, key)| view! {
                    <div class=format!("alert {class}") role="status"><p>{t(key)}</p></div>
                })}
                <section aria-labelledby="cover-shift">
                    <h2 id="cover-shift">{t("cover.the_shift")}</h2>
                    <ul class="roster">
                        <CoverCard seat=o.seat open=o.state == CoverState::Open expires_at=o.expires_at/>
                    </ul>
                </section>
                <p><a href="/my-shifts">{t("nav.my_shifts")}</a></p>
            }
        }/>
    }
}

/// One offered seat; with "take it" and "no thanks" while the call is open.
#[component]
pub fn CoverCard(seat: SeatDetails, open: bool, expires_at: i64) -> impl IntoView {
    let s = seat;
    let when = format!(
        "{} {}–{}",
        long_date(s.day),
        s.start_time.format("%H:%M"),
        s.end_time.format("%H:%M")
    );
    let seat_id = s.seat_id.to_string();
    view! {
        <li class="card roster-line" id=format!("cover-{}", s.seat_id)>
            <h3 class="member-name">{s.task_type.clone()}</h3>
            <p><strong>{when}</strong></p>
            <p>{s.station_name.clone()} ", " {s.address.clone()}</p>
            <p class="muted">{s.election_title.clone()} " · " {s.team.clone()} " · "
                {t("common.dkk").replace("{n}", &s.payment_dkk.to_string())}</p>
            {(!s.task_description.is_empty()).then(|| view! { <p>{s.task_description.clone()}</p> })}
            {open.then(|| view! {
                <p>{t_with("cover.open_until", &[("when", &date_time_at(expires_at))])}</p>
                <div class="answer">
                    <form method="post" action=TakeCover::url()>
                        <input type="hidden" name="seat_id" value=seat_id.clone()/>
                        <button type="submit" class="btn btn-primary btn-small">
                            {t("cover.take")}<span class="visually-hidden">" – " {s.task_type.clone()}</span>
                        </button>
                    </form>
                    <form method="post" action=DeclineCover::url()>
                        <input type="hidden" name="seat_id" value=seat_id.clone()/>
                        <button type="submit" class="btn btn-secondary btn-small">
                            {t("cover.decline")}<span class="visually-hidden">" – " {s.task_type.clone()}</span>
                        </button>
                    </form>
                </div>
            })}
        </li>
    }
}
