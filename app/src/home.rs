//! The front page: what a signed-in coordinator needs first; a short
//! introduction for everyone else.

use crate::components::{Loaded, UserResource};
use crate::domain::elections::Election;
use crate::domain::seats::SeatCounts;
use crate::domain::AppError;
use crate::i18n::{long_date, t, t_with};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ElectionOverview {
    pub election: Election,
    pub counts: SeatCounts,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Overview {
    pub elections: Vec<ElectionOverview>,
    pub volunteers: i64,
}

#[server(endpoint = "home/overview")]
pub async fn load_overview() -> Result<Overview, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        let mut elections = Vec::new();
        for election in ctx
            .storage
            .list_elections()
            .await?
            .into_iter()
            .filter(|e| e.active)
        {
            let mut counts = SeatCounts::default();
            for station in ctx.storage.station_seats(election.id).await? {
                counts.add(&station.counts);
            }
            elections.push(ElectionOverview { election, counts });
        }
        Ok(Overview {
            elections,
            volunteers: ctx.storage.count_volunteers().await?,
        })
    })
    .await
}

#[component]
pub fn HomePage() -> impl IntoView {
    let user = expect_context::<UserResource>().0;
    let query = leptos_router::hooks::use_query_map();
    let deleted = move || query.read().get("account_deleted").is_some();
    view! {
        {move || deleted().then(|| view! {
            <div class="alert alert-success" role="status"><p>{t("profile.deleted")}</p></div>
        })}
        <Title text=""/>
        <Transition fallback=|| view! { <p class="muted">{t("common.loading")}</p> }>
            {move || user.get().map(|u| match u.ok().flatten() {
                Some(u) if u.can_view_plan() => view! {
                    <h1>{t_with("home.hello", &[("name", &u.name)])}</h1>
                    <PlannerOverview/>
                }.into_any(),
                Some(u) => {
                    let manager = u.has(crate::domain::accounts::Role::StationManager);
                    let leader = u.has(crate::domain::accounts::Role::TeamLeader);
                    let volunteer = u.volunteer_id.is_some();
                    view! {
                        <h1>{t_with("home.hello", &[("name", &u.name)])}</h1>
                        {(!manager && !leader && !volunteer).then(|| view! { <p>{t("home.no_tasks_yet")}</p> })}
                        <div class="cards">
                            {volunteer.then(|| view! {
                                <section class="card">
                                    <h2><a href="/my-shifts">{t("nav.my_shifts")}</a></h2>
                                    <p>{t("home.shifts_explained")}</p>
                                </section>
                            })}
                            {manager.then(|| view! {
                                <section class="card">
                                    <h2><a href="/my-stations">{t("rosters.mine")}</a></h2>
                                    <p>{t("home.stations_explained")}</p>
                                </section>
                            })}
                            {leader.then(|| view! {
                                <section class="card">
                                    <h2><a href="/my-teams">{t("teams.mine")}</a></h2>
                                    <p>{t("home.teams_explained")}</p>
                                </section>
                            })}
                        </div>
                    }.into_any()
                }
                None => view! {
                    <h1>{t("home.welcome")}</h1>
                    <p>{t("home.intro")}</p>
                    <p><a class="btn btn-primary" href="/signin">{t("auth.sign_in")}</a></p>
                }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn PlannerOverview() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_overview());
    view! {
        <Loaded resource=data view={|o: Overview| view! {
            <p>{t_with("home.volunteers", &[("n", &o.volunteers.to_string())])}</p>
            <h2>{t("home.active_elections")}</h2>
            {if o.elections.is_empty() {
                view! { <p class="empty">{t("home.no_active")} " " <a href="/elections">{t("nav.elections")}</a></p> }.into_any()
            } else {
                view! {
                    <div class="cards">
                        {o.elections.into_iter().map(|e| view! {
                            <section class="card">
                                <h3><a href=format!("/elections/{}/seats", e.election.id)>{e.election.title.clone()}</a></h3>
                                <p>{long_date(e.election.election_day)}</p>
                                <div class="stats">
                                    <div class="stat"><span class="stat-value">{e.counts.total()}</span><span class="stat-label">{t("seats.seats")}</span></div>
                                    <div class="stat"><span class="stat-value">{e.counts.accepted}</span><span class="stat-label">{t("seats.accepted")}</span></div>
                                    <div class="stat"><span class="stat-value">{e.counts.invited}</span><span class="stat-label">{t("seats.invited")}</span></div>
                                    <div class="stat"><span class="stat-value">{e.counts.open}</span><span class="stat-label">{t("seats.open")}</span></div>
                                </div>
                            </section>
                        }).collect_view()}
                    </div>
                }.into_any()
            }}
        }}/>
    }
}
