//! Teams: parties, departments and the open volunteer pool.

use crate::components::{route_id, ActionError, DeleteForm, Field, Loaded, PageHead, TextArea};
use crate::domain::teams::{Team, TeamForm};
use crate::domain::{AppError, Id};
use crate::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

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

#[component]
pub fn TeamsPage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| list_teams());
    view! {
        <Title text=t("teams.title")/>
        <PageHead title=t("teams.title") new_href="/teams/new" new_label="teams.new"/>
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
    let action = ServerAction::<SaveTeam>::new();
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
        <ActionError action/>
        <ActionForm action>
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
        </ActionForm>
    }
}
