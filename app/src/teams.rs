//! Teams: parties, departments and the open volunteer pool.

use crate::components::{route_id, DeleteForm, Field, Loaded, PageHead, TextArea};
use crate::domain::rosters::TeamMember;
use crate::domain::teams::{Team, TeamForm};
use crate::domain::{AppError, Id};
use crate::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[server(endpoint = "teams/list")]
pub async fn list_teams() -> Result<Vec<Team>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.list_teams().await
    })
    .await
}

#[server(endpoint = "teams/get")]
pub async fn get_team(id: Option<Id>) -> Result<Option<Team>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        match id {
            Some(id) => ctx.storage.get_team(id).await.map(Some),
            None => Ok(None),
        }
    })
    .await
}

#[server(endpoint = "teams/save")]
pub async fn save_team(id: String, form: TeamForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let new = form.parse()?;
        match crate::elections::optional_id(&id)? {
            Some(id) => ctx.storage.update_team(id, &new).await?,
            None => {
                ctx.storage.create_team(&new).await?;
            }
        }
        crate::server::redirect_to("/teams");
        Ok(())
    })
    .await
}

#[server(endpoint = "teams/delete")]
pub async fn delete_team(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.delete_team(id).await?;
        crate::server::redirect_to("/teams");
        Ok(())
    })
    .await
}

/// A team's members as its leaders and the office see them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamMembersData {
    pub team: Team,
    pub members: Vec<TeamMember>,
    /// The viewer may take members off the team.
    pub can_manage: bool,
    /// The viewer sees everyone's contact data (the office), not only what
    /// members chose to share (team leaders).
    pub full_contact: bool,
}

#[server(endpoint = "teams/members")]
pub async fn load_team_members(team_id: Id) -> Result<TeamMembersData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_view_team(team_id))?;
        let team = ctx.storage.get_team(team_id).await?;
        let full_contact = user.sees_all_contacts();
        let mut members = ctx.storage.team_members(team_id, ctx.today()).await?;
        // What a member shared is for the team's own leaders only.
        if !full_contact {
            let shown = if user.leads_team(team_id) {
                TeamMember::for_team_leader
            } else {
                TeamMember::without_contact
            };
            members = members.into_iter().map(shown).collect();
        }
        if members.iter().any(|m| m.contact.phone.is_some()) {
            crate::server::audit(
                &ctx,
                Some(&user),
                crate::domain::audit::AuditAction::ContactViewed,
                &format!("team {team_id}"),
                &team.name,
            )
            .await;
        }
        Ok(TeamMembersData {
            can_manage: user.can_manage_team(team_id),
            full_contact,
            team,
            members,
        })
    })
    .await
}

/// The teams the signed-in person leads.
#[server(endpoint = "teams/mine")]
pub async fn load_my_teams() -> Result<Vec<Team>, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let mut teams = Vec::new();
        for &id in user.teams.iter().filter(|&&id| user.leads_team(id)) {
            teams.push(ctx.storage.get_team(id).await?);
        }
        teams.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(teams)
    })
    .await
}

/// Takes a member off a team; the team's seats they held open up again.
#[server(endpoint = "teams/remove_member")]
pub async fn remove_team_member(team_id: Id, volunteer_id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_manage_team(team_id))?;
        let team = ctx.storage.get_team(team_id).await?;
        let (today, now) = (ctx.today(), ctx.now());
        // The team's seats they lose, each with a message telling them so.
        let messages: Vec<_> = ctx
            .storage
            .volunteer_seats(volunteer_id)
            .await?
            .iter()
            .filter(|s| s.team == team.name && s.day >= today)
            .map(|s| {
                crate::shifts::seat_message(
                    &ctx.settings.public_url,
                    s,
                    crate::domain::notifications::MessageKind::RemovedFromShift,
                    &format!("team:{now}"),
                )
            })
            .collect();
        ctx.storage
            .remove_team_member(team_id, volunteer_id, today, now, &messages)
            .await?;
        (ctx.wake_outbox)();
        crate::server::audit(
            &ctx,
            Some(&user),
            crate::domain::audit::AuditAction::TeamMemberRemoved,
            &format!("team {team_id}"),
            &format!("volunteer {volunteer_id}"),
        )
        .await;
        crate::server::redirect_to(&format!("/teams/{team_id}/members"));
        Ok(())
    })
    .await
}

#[component]
pub fn TeamsPage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| list_teams());
    view! {
        <Title text=t("teams.title")/>
        <PageHead title=t("teams.title") new_href="/teams/new" new_label="teams.new"/>
        <p><a class="btn btn-secondary" href="/volunteers/import">{t("import.link")}</a></p>
        <Loaded resource=teams view={|list: Vec<Team>| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t("field.name")}</th>
                            <th scope="col">{t("field.short_name")}</th>
                            <th scope="col" class="num">{t("teams.members")}</th>
                            <th scope="col">{t("teams.leaders")}</th>
                            <th scope="col">{t("common.actions")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|team| view! {
                            <tr>
                                <td>{team.name.clone()}</td>
                                <td>{team.short_name.clone()}</td>
                                <td class="num">{team.members}</td>
                                <td>{team.leaders.join(", ")}</td>
                                <td class="actions">
                                    <a class="btn btn-secondary btn-small" href=format!("/teams/{}/members", team.id)>
                                        {t("teams.show_members")}<span class="visually-hidden">" " {team.name.clone()}</span>
                                    </a>
                                    <a class="btn btn-secondary btn-small" href=format!("/teams/{}", team.id)>
                                        {t("common.edit")}<span class="visually-hidden">" " {team.name.clone()}</span>
                                    </a>
                                    <DeleteForm url=DeleteTeam::url() id=team.id label=team.name.clone()/>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }}/>
    }
}

#[component]
pub fn TeamFormPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, get_team);
    view! { <Loaded resource=data view={|team: Option<Team>| view! { <TeamFormView team/> }}/> }
}

#[component]
fn TeamFormView(team: Option<Team>) -> impl IntoView {
    let heading = if team.is_some() {
        t("teams.edit")
    } else {
        t("teams.new")
    };
    let text = {
        let owned = team.clone();
        move |f: fn(&Team) -> String| owned.as_ref().map(f).unwrap_or_default()
    };
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <form method="post" action=SaveTeam::url()>
            <div class="form">
                <input type="hidden" name="id" value=text(|t| t.id.to_string())/>
                <Field name="form[name]" label="field.name" value=text(|t| t.name.clone()) required=true/>
                <Field name="form[short_name]" label="field.short_name" value=text(|t| t.short_name.clone()) required=true/>
                <TextArea name="form[description]" label="field.description" value=text(|t| t.description.clone())/>
            </div>
            {team.as_ref().filter(|t| !t.leaders.is_empty()).map(|t| view! {
                <p>{crate::i18n::t_with("teams.led_by", &[("names", &t.leaders.join(", "))])}</p>
            })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
                <a class="btn btn-secondary" href="/teams">{t("common.cancel")}</a>
            </div>
        </form>
    }
}

#[component]
pub fn MyTeamsPage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| load_my_teams());
    view! {
        <Title text=t("teams.mine")/>
        <h1>{t("teams.mine")}</h1>
        <Loaded resource=teams view={|list: Vec<Team>| if list.is_empty() {
            view! { <p class="empty">{t("teams.mine_none")}</p> }.into_any()
        } else {
            view! {
                <ul class="cards plain-list">
                    {list.into_iter().map(|team| view! {
                        <li class="card">
                            <h2><a href=format!("/teams/{}/members", team.id)>{team.name.clone()}</a></h2>
                            <p>{crate::i18n::t_with("teams.member_count", &[("n", &team.members.to_string())])}</p>
                            <p><a href=format!("/teams/{}/seats", team.id)>{t("team_seats.link")}</a></p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}/>
    }
}

#[component]
pub fn TeamMembersPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_team_members(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! { <Loaded resource=data view={|d: TeamMembersData| view! { <TeamMembersView data=d/> }}/> }
}

#[component]
fn TeamMembersView(data: TeamMembersData) -> impl IntoView {
    let title = crate::i18n::t_with("teams.members_of", &[("team", &data.team.name)]);
    let team_id = data.team.id;
    let (can_manage, full_contact) = (data.can_manage, data.full_contact);
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p>{crate::i18n::t_with("teams.member_count", &[("n", &data.members.len().to_string())])}
            " " <a href=format!("/teams/{team_id}/seats")>{t("team_seats.link")}</a></p>
        {(!full_contact).then(|| view! { <p class="hint">{t("teams.contact_when_shared")}</p> })}
        {can_manage.then(|| view! { <crate::signup::TeamLinksSection team_id/> })}
        {if data.members.is_empty() {
            view! { <p class="empty">{t("teams.no_members")}</p> }.into_any()
        } else {
            view! {
                <ul class="member-list">
                    {data.members.into_iter().map(|m| view! {
                        <MemberCard member=m team_id can_manage link=full_contact/>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn MemberCard(member: TeamMember, team_id: Id, can_manage: bool, link: bool) -> impl IntoView {
    let c = member.contact.clone();
    let name = c.name.clone();
    let remove_confirm = crate::i18n::t_with("teams.remove_confirm", &[("name", &name)]);
    view! {
        <li class="card member">
            <h2 class="member-name">
                {if link {
                    view! { <a href=format!("/volunteers/{}", c.volunteer_id)>{name.clone()}</a> }.into_any()
                } else {
                    view! { <span>{name.clone()}</span> }.into_any()
                }}
            </h2>
            <crate::volunteers::ContactLinks phone=c.phone.clone() email=c.email.clone()/>
            <crate::volunteers::ShiftList shifts=member.shifts.clone()/>
            {can_manage.then(|| view! {
                <details class="confirm-delete">
                    <summary class="btn btn-danger btn-small">
                        {t("teams.remove_member")}<span class="visually-hidden">" " {name.clone()}</span>
                    </summary>
                    <form method="post" action=RemoveTeamMember::url()>
                        <input type="hidden" name="team_id" value=team_id.to_string()/>
                        <input type="hidden" name="volunteer_id" value=c.volunteer_id.to_string()/>
                        <p>{remove_confirm}</p>
                        <button type="submit" class="btn btn-danger btn-small">{t("teams.remove_yes")}</button>
                    </form>
                </details>
            })}
        </li>
    }
}
