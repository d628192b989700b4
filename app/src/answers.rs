//! One-tap answers without signing in (the volunteer's phone): every
//! message that offers a person a seat carries their own answer link,
//! `/answer/:token`. It opens a small page with the shift and *Ja tak* /
//! *Nej tak*, which works without JavaScript; the answer goes through the
//! same atomic storage calls as on *Mine vagter*.

use crate::domain::answers::{Answer, AnswerKind};
use crate::domain::seats::SeatDetails;
use crate::domain::AppError;
use crate::i18n::{date_time_at, long_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What an answer link offers, as its page shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Offer {
    pub seat: SeatDetails,
    pub kind: AnswerKind,
    /// The answer is due by then.
    pub respond_by: i64,
}

/// The link's live offer, with the seat as its recipient sees it.
#[cfg(feature = "ssr")]
async fn live_link(
    ctx: &crate::server::ServerContext,
    token: &str,
) -> Result<Option<crate::domain::answers::AnswerLink>, AppError> {
    if !crate::domain::answers::plausible_token(token) {
        return Ok(None);
    }
    ctx.storage
        .answer_link(&(ctx.hasher)(token), ctx.now())
        .await
}

/// The offer behind a link, or `None` when the link no longer works (used,
/// past its deadline, or the seat has changed hands).
#[server(endpoint = "answers/load")]
pub async fn load_offer(token: String) -> Result<Option<Offer>, AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let Some(link) = live_link(&ctx, &token).await? else {
            return Ok(None);
        };
        let volunteer = ctx.storage.get_volunteer(link.volunteer_id).await?;
        let seat = ctx
            .storage
            .seat_details(link.seat_id)
            .await?
            .with_volunteer(&volunteer);
        Ok(Some(Offer {
            seat,
            kind: link.kind,
            respond_by: link.expires_at,
        }))
    })
    .await
}

/// Answers the offer behind a link: "accept" or "decline". The link is
/// spent with the answer; a dead link is refused and changes nothing.
#[server(endpoint = "answers/respond")]
pub async fn respond_to_offer(token: String, answer: String) -> Result<(), AppError> {
    use crate::domain::audit::AuditAction;
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let answer = Answer::parse(&answer)
            .ok_or_else(|| AppError::invalid("answer", "error.unknown_choice"))?;
        let Some(link) = live_link(&ctx, &token).await? else {
            crate::server::audit(&ctx, None, AuditAction::OfferAnswered, "link", "dead link").await;
            return Err(AppError::refused("answers.link_dead"));
        };
        let (seat_id, volunteer_id) = (link.seat_id, link.volunteer_id);
        match link.kind {
            AnswerKind::Invitation => {
                let seat = ctx.storage.seat_details(seat_id).await?;
                if seat.volunteer_id != Some(volunteer_id) {
                    return Err(AppError::refused("answers.link_dead"));
                }
                crate::shifts::answer_for(&ctx, &seat, answer == Answer::Yes, "").await?;
            }
            AnswerKind::Cover => {
                let call = ctx
                    .storage
                    .cover_call_for(seat_id, volunteer_id)
                    .await?
                    .ok_or_else(|| AppError::refused("answers.link_dead"))?;
                match answer {
                    Answer::Yes => {
                        crate::cover::take_for(&ctx, seat_id, volunteer_id, &call).await?
                    }
                    Answer::No => {
                        ctx.storage
                            .decline_cover(seat_id, volunteer_id, ctx.now())
                            .await?
                    }
                }
            }
        }
        ctx.storage
            .spend_answer_links(seat_id, volunteer_id, ctx.now())
            .await?;
        crate::server::audit(
            &ctx,
            None,
            AuditAction::OfferAnswered,
            &format!("seat {seat_id}"),
            &format!("volunteer {volunteer_id}: {}", answer.as_str()),
        )
        .await;
        let result = match answer {
            Answer::Yes => "yes",
            Answer::No => "no",
        };
        crate::server::redirect_to(&format!("/answered?result={result}"));
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

/// `/answer/:token`: the offer and the two answers.
#[component]
pub fn AnswerPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let offer = Resource::new(token, load_offer);
    // From the email's "Nej tak" link, "no" comes first.
    let declining = use_query_map().read_untracked().get("choice").as_deref() == Some("no");
    view! {
        <Title text=t("answers.title")/>
        <div class="signin-box card">
            <h1>{t("answers.title")}</h1>
            <crate::components::Loaded resource=offer view={move |offer: Option<Offer>| match offer {
                Some(offer) => view! { <OfferView offer token=token() declining/> }.into_any(),
                None => view! {
                    <div class="alert alert-info" role="status"><p>{t("answers.link_dead")}</p></div>
                    <p><a class="btn btn-secondary" href="/signin?next=/my-shifts">{t("answers.sign_in")}</a></p>
                }.into_any(),
            }}/>
        </div>
    }
}

#[component]
fn OfferView(offer: Offer, token: String, declining: bool) -> impl IntoView {
    let s = offer.seat;
    let when = format!(
        "{} {}–{}",
        long_date(s.day),
        s.start_time.format("%H:%M"),
        s.end_time.format("%H:%M")
    );
    let intro = match offer.kind {
        AnswerKind::Invitation => "answers.invited",
        AnswerKind::Cover => "answers.cover",
    };
    let name = s.volunteer_name.clone().unwrap_or_default();
    let button = move |answer: Answer, primary: bool| {
        let (label, class) = match (answer, primary) {
            (Answer::Yes, true) => ("answers.yes", "btn btn-primary"),
            (Answer::Yes, false) => ("answers.yes", "btn btn-secondary"),
            (Answer::No, true) => ("answers.no", "btn btn-primary"),
            (Answer::No, false) => ("answers.no", "btn btn-secondary"),
        };
        view! {
            <form method="post" action=RespondToOffer::url()>
                <input type="hidden" name="token" value=token.clone()/>
                <input type="hidden" name="answer" value=answer.as_str()/>
                <button type="submit" class=class>{t(label)}</button>
            </form>
        }
    };
    let buttons = if declining {
        view! { {button(Answer::No, true)} {button(Answer::Yes, false)} }.into_any()
    } else {
        view! { {button(Answer::Yes, true)} {button(Answer::No, false)} }.into_any()
    };
    view! {
        <p>{t_with(intro, &[("name", &name)])}</p>
        <section class="offer" aria-labelledby="offer-task">
            <h2 id="offer-task">{s.task_type.clone()}</h2>
            <p><strong>{when}</strong></p>
            <p>{s.station_name.clone()} ", " {s.address.clone()}</p>
            <p class="muted">{s.election_title.clone()} " · " {s.team.clone()} " · "
                {t("common.dkk").replace("{n}", &s.payment_dkk.to_string())}</p>
            {(!s.task_description.is_empty()).then(|| view! { <p>{s.task_description.clone()}</p> })}
            <p>{t_with("answers.by", &[("when", &date_time_at(offer.respond_by))])}</p>
        </section>
        <div class="answer answer-big">{buttons}</div>
    }
}

/// Where an answer lands: thanks, and the way to every shift.
#[component]
pub fn AnsweredPage() -> impl IntoView {
    let yes = use_query_map().read_untracked().get("result").as_deref() == Some("yes");
    let (title, text) = if yes {
        ("answers.done_yes_title", "answers.done_yes")
    } else {
        ("answers.done_no_title", "answers.done_no")
    };
    view! {
        <Title text=t(title)/>
        <div class="signin-box card">
            <h1>{t(title)}</h1>
            <div class="alert alert-success" role="status"><p>{t(text)}</p></div>
            <p>{t("answers.see_all")}</p>
            <p><a class="btn btn-primary" href="/signin?next=/my-shifts">{t("answers.sign_in")}</a></p>
        </div>
    }
}
