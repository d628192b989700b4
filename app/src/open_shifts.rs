//! *Ledige vagter* (`/open-shifts`, the volunteer's phone): the open seats a
//! signed-in volunteer may take through their teams' sign-up links, only
//! those they are eligible for, each taken in one tap exactly as on the
//! link's own page (the same atomic storage call).

use crate::components::Loaded;
use crate::domain::signup::OpenCell;
use crate::domain::{AppError, Id};
use crate::i18n::{long_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// One open cell and the link it is taken through (by id: only the
/// link's hash is kept, and a team member needs no token).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenShift {
    pub link_id: Id,
    pub election: String,
    pub team: String,
    pub cell: OpenCell,
}

#[server(endpoint = "signup/open_for_me")]
pub async fn open_shifts_for_me() -> Result<Vec<OpenShift>, AppError> {
    crate::server::guarded(async move {
        use std::collections::{HashMap, HashSet};
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let volunteer = ctx.storage.get_volunteer(volunteer_id).await?;
        let teams: Vec<_> = ctx
            .storage
            .volunteer_teams(volunteer_id)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        if teams.is_empty() {
            return Ok(Vec::new());
        }
        let today = ctx.today();
        let now = ctx.now();
        let mut seen = HashSet::new();
        // Eligibility is the same for every cell of one task type and day.
        let mut eligible = HashMap::new();
        let mut out = Vec::new();
        for link in ctx.storage.list_links(Some(&teams)).await? {
            if !link.works_at(now) {
                continue;
            }
            for cell in ctx
                .storage
                .open_cells(&link, today, Some(volunteer_id))
                .await?
            {
                let key = (
                    link.election_id,
                    link.team_id,
                    cell.station_id,
                    cell.day,
                    cell.task_type_id,
                );
                if cell.free == 0 || !seen.insert(key) {
                    continue;
                }
                let rule = (link.election_id, cell.task_type_id, cell.day);
                let ok = match eligible.get(&rule) {
                    Some(ok) => *ok,
                    None => {
                        let ok = crate::shifts::refuse_ineligible(
                            &ctx,
                            &volunteer,
                            link.election_id,
                            cell.task_type_id,
                            cell.day,
                        )
                        .await
                        .is_ok();
                        eligible.insert(rule, ok);
                        ok
                    }
                };
                if ok {
                    out.push(OpenShift {
                        link_id: link.id,
                        election: link.election_title.clone(),
                        team: link.team.clone(),
                        cell,
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            (a.cell.day, a.cell.start_time, &a.cell.station).cmp(&(
                b.cell.day,
                b.cell.start_time,
                &b.cell.station,
            ))
        });
        Ok(out)
    })
    .await
}

/// Takes a seat of a cell offered on *Ledige vagter*: through a working link
/// of a team the volunteer is on, with the same checks and the same atomic
/// storage call as on the link's own page.
#[server(endpoint = "signup/take_open")]
pub async fn take_open_shift(
    link_id: Id,
    station_id: Id,
    day: String,
    task_type_id: Id,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let link = ctx.storage.get_link(link_id).await?;
        let on_team = ctx
            .storage
            .volunteer_teams(volunteer_id)
            .await?
            .iter()
            .any(|(team, _)| *team == link.team_id);
        // Someone off the team learns nothing of the link, not even that it exists.
        if !on_team {
            return Err(AppError::NotFound);
        }
        if !link.works_at(ctx.now()) {
            return Err(AppError::refused("signup.link_gone"));
        }
        crate::signup::take_and_show(&ctx, &link, volunteer_id, station_id, &day, task_type_id)
            .await
    })
    .await
}

#[component]
pub fn OpenShiftsPage() -> impl IntoView {
    let shifts = Resource::new(|| (), |_| open_shifts_for_me());
    let title = t("open_shifts.title");
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p>{t("open_shifts.intro")}</p>
        <Loaded resource=shifts view={|list: Vec<OpenShift>| {
            if list.is_empty() {
                view! { <p class="empty">{t("open_shifts.none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="roster">
                        {list.into_iter().map(|s| view! { <OpenShiftCard shift=s/> }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}/>
    }
}

#[component]
fn OpenShiftCard(shift: OpenShift) -> impl IntoView {
    let c = shift.cell;
    let when = format!(
        "{} {}–{}",
        long_date(c.day),
        c.start_time.format("%H:%M"),
        c.end_time.format("%H:%M")
    );
    view! {
        <li class="card roster-line">
            <h2 class="member-name">{c.task_type.clone()}</h2>
            <p><strong>{when.clone()}</strong></p>
            <p>{c.station.clone()} ", " {c.address.clone()}</p>
            <p class="muted">{shift.election.clone()} " · " {shift.team.clone()} " · "
                {t_with("signup.free", &[("n", &c.free.to_string())])} " · "
                {t("common.dkk").replace("{n}", &c.payment_dkk.to_string())}</p>
            {(!c.description.is_empty()).then(|| view! { <p>{c.description.clone()}</p> })}
            <form method="post" action=TakeOpenShift::url()>
                <input type="hidden" name="link_id" value=shift.link_id.to_string()/>
                <input type="hidden" name="station_id" value=c.station_id.to_string()/>
                <input type="hidden" name="day" value=c.day.to_string()/>
                <input type="hidden" name="task_type_id" value=c.task_type_id.to_string()/>
                <button type="submit" class="btn btn-primary">
                    {t("signup.take")}<span class="visually-hidden">" – " {c.task_type.clone()} " " {when}</span>
                </button>
            </form>
        </li>
    }
}
