//! Filling a gap from an open seat: the people who could take it, ranked
//! (standby queue, team, nearest), and inviting one — or several, for
//! several open seats of the same kind — in one go.

use crate::components::Loaded;
use crate::domain::candidates::Candidate;
use crate::domain::seats::SeatDetails;
use crate::domain::{AppError, Id};
use crate::i18n::{long_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// How many candidates the page shows.
pub const SHOWN: usize = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CandidatesData {
    pub seat: SeatDetails,
    /// Open seats of the same station, day, team and task type.
    pub open_seats: i64,
    pub candidates: Vec<Candidate>,
    /// How many a call for cover would reach, per group.
    pub group_sizes: Vec<(crate::domain::cover::CoverGroup, i64)>,
    /// The open call for cover for this seat, if any.
    pub cover: Option<crate::domain::cover::CoverCall>,
}

/// The seat's open siblings (itself first), for a coordinator of its area.
#[cfg(feature = "ssr")]
pub(crate) async fn open_seat(
    seat_id: Id,
) -> Result<(crate::server::ServerContext, SeatDetails, Vec<Id>), AppError> {
    let (ctx, user) = crate::server::require_area_planner().await?;
    let seat = ctx.storage.seat_details(seat_id).await?;
    crate::server::allow(user.can_plan_area(seat.area_id))?;
    if seat.status != crate::domain::seats::SeatStatus::Open {
        return Err(AppError::refused("seats.taken"));
    }
    let mut open = ctx
        .storage
        .open_seats(
            seat.election_id,
            seat.station_id,
            seat.day,
            seat.team_id,
            seat.task_type_id,
        )
        .await?;
    open.sort_by_key(|id| *id != seat_id);
    Ok((ctx, seat, open))
}

/// Everyone who could take `seat`, best first: eligible on its day for its
/// election and task, and without a shift at the same time.
#[cfg(feature = "ssr")]
pub(crate) async fn ranked_candidates(
    ctx: &crate::server::ServerContext,
    seat: &SeatDetails,
) -> Result<Vec<Candidate>, AppError> {
    use crate::domain::shifts::{first_overlap, Shift};
    use crate::domain::volunteers::{check_eligibility, Declaration};
    let rules =
        crate::shifts::eligibility_rules(ctx.storage.as_ref(), seat.election_id, seat.task_type_id)
            .await?;
    let shift = Shift::new(seat.day, seat.start_time, seat.end_time);
    let mut candidates: Vec<Candidate> = ctx
        .storage
        .candidate_pool(seat.seat_id, 400)
        .await?
        .into_iter()
        .filter(|p| first_overlap(&shift, &p.nearby).is_none())
        .filter(|p| {
            rules.as_ref().is_none_or(|rules| {
                check_eligibility(
                    rules,
                    &Declaration::declared(
                        p.birth_date,
                        &p.municipality_code,
                        p.citizenship,
                        p.under_guardianship,
                    )
                    .judged(p.register.as_ref()),
                    seat.day,
                    &ctx.settings.municipality_code,
                )
                .is_ok()
            })
        })
        .map(|p| p.candidate)
        .collect();
    crate::domain::candidates::rank(&mut candidates);
    Ok(candidates)
}

#[server(endpoint = "candidates/list")]
pub async fn load_candidates(seat_id: Id) -> Result<CandidatesData, AppError> {
    crate::server::guarded(async move {
        use crate::domain::cover::CoverGroup;
        let (ctx, seat, open) = open_seat(seat_id).await?;
        let mut candidates = ranked_candidates(&ctx, &seat).await?;
        let group_sizes = CoverGroup::ALL
            .into_iter()
            .map(|g| {
                let n = candidates
                    .iter()
                    .filter(|c| g.includes(c.standby_place, c.team_member))
                    .count();
                (g, n.min(crate::domain::cover::MAX_RECIPIENTS) as i64)
            })
            .collect();
        candidates.truncate(SHOWN);
        let cover = ctx
            .storage
            .latest_cover_call(seat_id)
            .await?
            .filter(|c| c.closed_at.is_none() && c.expires_at > ctx.now());
        Ok(CandidatesData {
            open_seats: open.len() as i64,
            seat,
            candidates,
            group_sizes,
            cover,
        })
    })
    .await
}

/// Invites the chosen people to the seat and, one each, to the other open
/// seats of its kind, with the answer due in `respond_days`. Everyone is
/// checked before anyone is invited.
#[server(endpoint = "candidates/invite")]
pub async fn invite_candidates(
    seat_id: Id,
    #[server(default)] volunteers: Vec<String>,
    respond_days: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, seat, open) = open_seat(seat_id).await?;
        let days = crate::domain::forms::int_in(
            "respond_days",
            &respond_days,
            1,
            crate::shifts::MAX_RESPOND_DAYS,
        )?;
        // In the order ticked, each once; a set, since a crafted form can
        // carry a hundred thousand ids.
        let mut chosen = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for raw in &volunteers {
            let id = crate::domain::forms::id("volunteers", raw)?;
            if seen.insert(id) {
                chosen.push(id);
            }
        }
        if chosen.is_empty() {
            return Err(AppError::invalid("volunteers", "candidates.choose_someone"));
        }
        if chosen.len() > open.len() {
            return Err(AppError::Refused {
                key: "candidates.too_many".into(),
                arg: Some(open.len().to_string()),
            });
        }
        let mut people = Vec::new();
        for id in chosen {
            people.push(crate::shifts::eligible_for(&ctx, id, &seat).await?);
        }
        let respond_by = ctx.now() + days * 86_400;
        let mut fills = Vec::with_capacity(people.len());
        for (volunteer, seat_id) in people.iter().zip(open) {
            let seat = ctx.storage.seat_details(seat_id).await?;
            fills.push(crate::shifts::invitation(&ctx, seat, volunteer, respond_by));
        }
        // One transaction: a clash found for the fifth person leaves the
        // first four uninvited too, so the batch can be fixed and sent again.
        ctx.storage.fill_seats(&fills, ctx.now()).await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&format!("/stations/{}/roster", seat.station_id));
        Ok(())
    })
    .await
}

#[component]
pub fn CandidatesPage() -> impl IntoView {
    let id = crate::components::route_id("id");
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_candidates(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Loaded resource=data view=move |d: CandidatesData| view! { <CandidatesView data=d/> }/>
    }
}

#[component]
fn CandidatesView(data: CandidatesData) -> impl IntoView {
    let cover = CoverForm(CoverFormProps {
        seat_id: data.seat.seat_id,
        group_sizes: data.group_sizes.clone(),
        open_call: data.cover.clone(),
    });
    let s = data.seat;
    let title = t_with(
        "candidates.title",
        &[("task", &s.task_type), ("station", &s.station_name)],
    );
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p>
            <strong>{long_date(s.day)} " " {s.start_time.format("%H:%M").to_string()} "–" {s.end_time.format("%H:%M").to_string()}</strong>
            " · " {s.team.clone()}
        </p>
        <p>{t_with("candidates.open", &[("n", &data.open_seats.to_string())])} " "
            <a href=format!("/stations/{}/roster", s.station_id)>{t("candidates.back")}</a>
        </p>
        {if data.candidates.is_empty() {
            view! { <p class="empty">{t("candidates.none")}</p> }.into_any()
        } else {
            view! {
                <form method="post" action=InviteCandidates::url()>
                    <input type="hidden" name="seat_id" value=s.seat_id.to_string()/>
                    <fieldset class="choice-group">
                        <legend>{t("candidates.choose")}</legend>
                        <ul class="roster candidates">
                            {data.candidates.into_iter().enumerate().map(|(n, c)| {
                                let field = format!("candidate-{}", c.volunteer_id);
                                view! {
                                    <li class="card roster-line">
                                        <div class="field-inline">
                                            <input type="checkbox" id=field.clone() name="volunteers[]"
                                                value=c.volunteer_id.to_string() checked=n == 0/>
                                            <label for=field>
                                                <strong>{c.name.clone()}</strong>
                                                " · " {crate::domain::volunteers::shown_address(c.address_protected, "", &c.postal_code, &c.city, &|key| t(key))}
                                            </label>
                                        </div>
                                        <p class="candidate-why">
                                            {c.standby_place.map(|p| view! {
                                                <span class="badge badge-invited">{t_with("standby.badge", &[("n", &p.to_string())])}</span>
                                            })}
                                            {c.team_member.then(|| view! {
                                                <span class="badge badge-accepted">{t("candidates.on_team")}</span>
                                            })}
                                            " " <a href=format!("/volunteers/{}", c.volunteer_id)>{t("candidates.profile")}<span class="visually-hidden">" " {c.name.clone()}</span></a>
                                        </p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </fieldset>
                    <div class="field">
                        <label for="candidates-days">{t("shifts.respond_days")}</label>
                        <input id="candidates-days" name="respond_days" type="number" min="1" max="30" value="3" required=true/>
                    </div>
                    <button type="submit" class="btn btn-primary">{t("candidates.invite")}</button>
                </form>
            }.into_any()
        }}
        {cover}
    }
}

/// Offer the seat to a whole group at once: the first to take it gets it.
#[component]
fn CoverForm(
    seat_id: Id,
    group_sizes: Vec<(crate::domain::cover::CoverGroup, i64)>,
    open_call: Option<crate::domain::cover::CoverCall>,
) -> impl IntoView {
    // The page loads again after a call (`?called=1`); focus goes to what
    // it says about it, not back to the top of the page.
    let called = crate::components::query_flag("called");
    let first = group_sizes.iter().position(|(_, n)| *n > 0);
    view! {
        <section class="card" aria-labelledby="cover-heading">
            <h2 id="cover-heading">{t("cover.call_title")}</h2>
            <p>{t("cover.call_explained")}</p>
            {open_call.map(|c| view! {
                <div class="alert alert-info" role="status" tabindex="-1" autofocus=called><p>{t_with("cover.call_open", &[
                    ("n", &c.offered.len().to_string()),
                    ("declined", &c.declined.len().to_string()),
                    ("when", &crate::i18n::date_time_at(c.expires_at)),
                ])}</p></div>
            })}
            <form method="post" action=crate::cover::CallForCover::url()>
                <input type="hidden" name="seat_id" value=seat_id.to_string()/>
                <fieldset class="choice-group">
                    <legend>{t("cover.group")}</legend>
                    {group_sizes.into_iter().enumerate().map(|(i, (group, n))| {
                        let field = format!("cover-group-{}", group.as_str());
                        view! {
                            <div class="field-inline">
                                <input type="radio" id=field.clone() name="group" value=group.as_str()
                                    checked=first == Some(i) disabled=n == 0/>
                                <label for=field>{t_with(&format!("cover.group.{}", group.as_str()), &[("n", &n.to_string())])}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="cover-hours">{t("cover.hours")}</label>
                    <input id="cover-hours" name="hours" type="number" min="1"
                        max=crate::domain::cover::MAX_HOURS.to_string() value="2" required=true/>
                </div>
                <button type="submit" class="btn btn-primary" disabled=first.is_none()>{t("cover.call")}</button>
            </form>
        </section>
    }
}
