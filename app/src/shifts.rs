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
        use crate::domain::notifications::MessageKind;
        let (ctx, user) = crate::server::require_area_planner().await?;
        let mut seat = ctx.storage.seat_details(seat_id).await?;
        crate::server::allow(user.can_plan_area(seat.area_id))?;
        let email = crate::domain::volunteers::EmailAddress::parse("email", &email)?;
        let days =
            crate::domain::forms::int_in("respond_days", &respond_days, 1, MAX_RESPOND_DAYS)?;
        let volunteer_id = ctx
            .storage
            .find_volunteer_by_email(email.as_str())
            .await?
            .ok_or_else(|| AppError::invalid("email", "shifts.no_such_volunteer"))?;
        let volunteer = ctx.storage.get_volunteer(volunteer_id).await?;
        let now = ctx.now();
        let respond_by = now + days * 86_400;
        seat.volunteer_id = Some(volunteer_id);
        seat.volunteer_name = Some(volunteer.name);
        seat.volunteer_language = Some(volunteer.language.as_str().to_string());
        seat.respond_by = Some(respond_by);
        let message = seat_message(
            &ctx.settings.public_url,
            &seat,
            MessageKind::Invitation,
            &format!("{now}"),
        );
        ctx.storage
            .fill_seat(
                seat_id,
                volunteer_id,
                crate::domain::seats::SeatStatus::Invited,
                Some(respond_by),
                now,
                Some(&message),
            )
            .await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&format!("/stations/{}/roster", seat.station_id));
        Ok(())
    })
    .await
}

/// The signed-in volunteer answers an invitation: "accept" or "decline".
#[server(endpoint = "shifts/answer")]
pub async fn answer_invitation(
    seat_id: Id,
    answer: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::notifications::MessageKind;
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
        let now = ctx.now();
        let message = accept.then(|| {
            seat_message(
                &ctx.settings.public_url,
                &seat,
                MessageKind::RegistrationConfirmation,
                &format!("{now}"),
            )
        });
        ctx.storage
            .answer_invitation(
                seat_id,
                volunteer_id,
                accept,
                &reason,
                now,
                message.as_ref(),
            )
            .await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&format!("/volunteers/{volunteer_id}#seat-{seat_id}"));
        Ok(())
    })
    .await
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
