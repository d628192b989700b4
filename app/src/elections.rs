//! Elections and election types: list, create, edit, copy, activate, delete.

use crate::components::{route_id, Checkbox, DeleteForm, Field, Loaded, PageHead, Select};
use crate::domain::elections::{
    CitizenshipRule, Election, ElectionCopyForm, ElectionForm, ElectionType, ElectionTypeForm,
};
use crate::domain::stations::Station;
use crate::domain::{AppError, Id};
use crate::i18n::{short_date, t};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Parses the hidden `id` of an edit form; empty means "create".
pub fn optional_id(raw: &str) -> Result<Option<Id>, AppError> {
    crate::domain::forms::optional_id("id", raw)
}

// ---------------------------------------------------------------- server

#[server(endpoint = "election_types/list")]
pub async fn list_election_types() -> Result<Vec<ElectionType>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.list_election_types().await
    })
    .await
}

#[server(endpoint = "election_types/get")]
pub async fn get_election_type(id: Option<Id>) -> Result<Option<ElectionType>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        match id {
            Some(id) => ctx.storage.get_election_type(id).await.map(Some),
            None => Ok(None),
        }
    })
    .await
}

#[server(endpoint = "election_types/save")]
pub async fn save_election_type(id: String, form: ElectionTypeForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let new = form.parse()?;
        match optional_id(&id)? {
            Some(id) => ctx.storage.update_election_type(id, &new).await?,
            None => {
                ctx.storage.create_election_type(&new).await?;
            }
        }
        crate::server::redirect_to("/election-types");
        Ok(())
    })
    .await
}

#[server(endpoint = "election_types/delete")]
pub async fn delete_election_type(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.delete_election_type(id).await?;
        crate::server::redirect_to("/election-types");
        Ok(())
    })
    .await
}

#[server(endpoint = "elections/list")]
pub async fn list_elections() -> Result<Vec<Election>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.list_elections().await
    })
    .await
}

/// Everything the election form needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ElectionFormData {
    pub election: Option<Election>,
    pub types: Vec<ElectionType>,
    pub stations: Vec<Station>,
}

#[server(endpoint = "elections/form")]
pub async fn load_election_form(id: Option<Id>) -> Result<ElectionFormData, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        let election = match id {
            Some(id) => Some(ctx.storage.get_election(id).await?),
            None => None,
        };
        Ok(ElectionFormData {
            election,
            types: ctx.storage.list_election_types().await?,
            stations: ctx.storage.list_stations().await?,
        })
    })
    .await
}

#[server(endpoint = "elections/save")]
pub async fn save_election(id: String, form: ElectionForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let new = form.parse()?;
        let id = match optional_id(&id)? {
            Some(id) => {
                ctx.storage.update_election(id, &new).await?;
                id
            }
            None => ctx.storage.create_election(&new).await?,
        };
        crate::server::redirect_to(&format!("/elections/{id}/seats"));
        Ok(())
    })
    .await
}

#[server(endpoint = "elections/activate")]
pub async fn set_election_active(id: Id, active: bool) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.set_election_active(id, active).await?;
        crate::server::redirect_to("/elections");
        Ok(())
    })
    .await
}

#[server(endpoint = "elections/delete")]
pub async fn delete_election(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.delete_election(id).await?;
        crate::server::redirect_to("/elections");
        Ok(())
    })
    .await
}

#[server(endpoint = "elections/get")]
pub async fn get_election(id: Id) -> Result<Election, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.get_election(id).await
    })
    .await
}

#[server(endpoint = "elections/copy")]
pub async fn copy_election(form: ElectionCopyForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let copy = form.parse()?;
        let id = ctx.storage.copy_election(&copy).await?;
        crate::server::redirect_to(&format!("/elections/{id}"));
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

#[component]
pub fn ElectionsPage() -> impl IntoView {
    let elections = Resource::new(|| (), |_| list_elections());
    view! {
        <Title text=t("elections.title")/>
        <PageHead title=t("elections.title") new_href="/elections/new" new_label="elections.new"/>
        <Loaded resource=elections view={|list: Vec<Election>| {
            if list.is_empty() {
                return view! { <p class="empty">{t("elections.none")}</p> }.into_any();
            }
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                    <table class="data">
                        <caption class="visually-hidden">{t("elections.title")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t("field.title")}</th>
                                <th scope="col">{t("field.election_type_id")}</th>
                                <th scope="col">{t("field.election_day")}</th>
                                <th scope="col">{t("elections.status")}</th>
                                <th scope="col">{t("common.actions")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|e| view! { <ElectionRow election=e/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}/>
    }
}

#[component]
fn ElectionRow(election: Election) -> impl IntoView {
    let id = election.id;
    let (badge_class, badge_key) = if election.active {
        ("badge badge-active", "elections.active")
    } else {
        ("badge badge-inactive", "elections.inactive")
    };
    let toggle_key = if election.active {
        "elections.deactivate"
    } else {
        "elections.activate"
    };
    view! {
        <tr>
            <td>
                <a href=format!("/elections/{id}/seats")>{election.title.clone()}</a>
                <br/><a class="hint" href=format!("/elections/{id}/messages")>{t("templates.link")}<span class="visually-hidden">" – " {election.title.clone()}</span></a>
            </td>
            <td>{election.election_type_title.clone()}</td>
            <td>{short_date(election.election_day)}</td>
            <td><span class=badge_class>{t(badge_key)}</span></td>
            <td class="actions">
                <a class="btn btn-secondary btn-small" href=format!("/elections/{id}")>
                    {t("common.edit")}<span class="visually-hidden">" " {election.title.clone()}</span>
                </a>
                <a class="btn btn-secondary btn-small" href=format!("/elections/{id}/copy")>
                    {t("elections.copy")}<span class="visually-hidden">" " {election.title.clone()}</span>
                </a>
                <form method="post" action=SetElectionActive::url()>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="active" value=(!election.active).to_string()/>
                    <button type="submit" class="btn btn-secondary btn-small">
                        {t(toggle_key)}<span class="visually-hidden">" " {election.title.clone()}</span>
                    </button>
                </form>
                <DeleteForm url=DeleteElection::url() id label=election.title.clone()/>
            </td>
        </tr>
    }
}

#[component]
pub fn ElectionFormPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, load_election_form);
    view! {
        <Loaded resource=data view={|data: ElectionFormData| view! { <ElectionFormView data/> }}/>
    }
}

#[component]
fn ElectionFormView(data: ElectionFormData) -> impl IntoView {
    let e = data.election.clone();
    let heading = if e.is_some() {
        t("elections.edit")
    } else {
        t("elections.new")
    };
    let date = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let types: Vec<(String, String)> = data
        .types
        .iter()
        .map(|t| (t.id.to_string(), t.title.clone()))
        .collect();
    let chosen: Vec<Id> = match &e {
        Some(e) => e.station_ids.clone(),
        // A new election starts with every station ticked.
        None => data.stations.iter().map(|s| s.id).collect(),
    };
    let reminders = e.as_ref().map(|e| e.reminders).unwrap_or_default();
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <form method="post" action=SaveElection::url()>
            <div class="form form-grid">
                <input type="hidden" name="id" value=e.as_ref().map(|e| e.id.to_string()).unwrap_or_default()/>
                <Field name="form[title]" label="field.title" value=e.as_ref().map(|e| e.title.clone()).unwrap_or_default() required=true/>
                <Select name="form[election_type_id]" label="field.election_type_id" options=types
                    selected=e.as_ref().map(|e| e.election_type_id.to_string()).unwrap_or_default()/>
                <Field name="form[election_day]" label="field.election_day" kind="date" value=date(e.as_ref().map(|e| e.election_day)) required=true/>
                <Field name="form[first_day]" label="field.first_day" kind="date" value=date(e.as_ref().map(|e| e.first_day)) required=true hint="elections.first_day_hint"/>
                <Field name="form[last_day]" label="field.last_day" kind="date" value=date(e.as_ref().map(|e| e.last_day)) required=true hint="elections.last_day_hint"/>
                <Field name="form[lock_days]" label="field.lock_days" kind="number" min="0" max="60"
                    value=e.as_ref().map(|e| e.lock_days.to_string()).unwrap_or_else(|| "7".into()) required=true hint="elections.lock_days_hint"/>
                <Checkbox name="form[active]" label="field.active" checked=e.as_ref().is_some_and(|e| e.active)/>
            </div>
            <fieldset class="form form-grid">
                <legend>{t("elections.reminders")}</legend>
                <Field name="form[invite_reminder_days]" label="field.invite_reminder_days" kind="number" min="0" max="30"
                    value=reminders.invite_every_days.to_string() required=true hint="elections.invite_reminder_hint"/>
                <Field name="form[shift_reminder_days]" label="field.shift_reminder_days" kind="number" min="0" max="30"
                    value=reminders.shift_days_before.to_string() required=true hint="elections.shift_reminder_hint"/>
                <Checkbox name="form[morning_reminder]" label="field.morning_reminder" checked=reminders.morning/>
            </fieldset>
            <fieldset>
                <legend>{t("field.stations")}</legend>
                {data.stations.into_iter().map(|s| {
                    let id = format!("station-{}", s.id);
                    let checked = chosen.contains(&s.id);
                    view! {
                        <div class="field-inline">
                            <input type="checkbox" id=id.clone() name="form[stations][]" value=s.id.to_string() checked=checked/>
                            <label for=id>{format!("{} ({})", s.name, s.area_name)}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
                <a class="btn btn-secondary" href="/elections">{t("common.cancel")}</a>
            </div>
        </form>
    }
}

#[component]
pub fn CopyElectionPage() -> impl IntoView {
    let id = route_id("id");
    let election = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_election(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Loaded resource=election view={|e: Election| view! { <CopyElectionView election=e/> }}/>
    }
}

#[component]
fn CopyElectionView(election: Election) -> impl IntoView {
    let heading = crate::i18n::t_with("elections.copy_title", &[("name", &election.title)]);
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <p>{t("elections.copy_explained")}</p>
        <form method="post" action=CopyElection::url()>
            <div class="form">
                <input type="hidden" name="form[source_id]" value=election.id.to_string()/>
                <Field name="form[title]" label="field.title" value=election.title.clone() required=true/>
                <Field name="form[election_day]" label="field.election_day" kind="date" required=true/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("elections.copy")}</button>
                <a class="btn btn-secondary" href="/elections">{t("common.cancel")}</a>
            </div>
        </form>
    }
}

#[component]
pub fn ElectionTypesPage() -> impl IntoView {
    let types = Resource::new(|| (), |_| list_election_types());
    view! {
        <Title text=t("election_types.title")/>
        <PageHead title=t("election_types.title") new_href="/election-types/new" new_label="election_types.new"/>
        <Loaded resource=types view={|list: Vec<ElectionType>| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t("field.title")}</th>
                            <th scope="col">{t("election_types.rules")}</th>
                            <th scope="col" class="num">{t("election_types.elections")}</th>
                            <th scope="col">{t("common.actions")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|et| {
                            let rules = rule_summary(&et);
                            view! {
                                <tr>
                                    <td>{et.title.clone()}</td>
                                    <td>{rules}</td>
                                    <td class="num">{et.elections}</td>
                                    <td class="actions">
                                        <a class="btn btn-secondary btn-small" href=format!("/election-types/{}", et.id)>
                                            {t("common.edit")}<span class="visually-hidden">" " {et.title.clone()}</span>
                                        </a>
                                        <DeleteForm url=DeleteElectionType::url() id=et.id label=et.title.clone()/>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }}/>
    }
}

fn rule_summary(et: &ElectionType) -> String {
    let mut parts = Vec::new();
    if et.rules.min_age_18 {
        parts.push(t("field.min_age_18"));
    }
    if et.rules.resident {
        parts.push(t("field.resident"));
    }
    parts.push(t(&format!(
        "citizenship_rule.{}",
        et.rules.citizenship.as_str()
    )));
    if et.rules.not_under_guardianship {
        parts.push(t("field.not_under_guardianship"));
    }
    parts.join(" · ")
}

#[component]
pub fn ElectionTypeFormPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, get_election_type);
    view! {
        <Loaded resource=data view={|et: Option<ElectionType>| view! { <ElectionTypeFormView election_type=et/> }}/>
    }
}

#[component]
fn ElectionTypeFormView(election_type: Option<ElectionType>) -> impl IntoView {
    let heading = if election_type.is_some() {
        t("election_types.edit")
    } else {
        t("election_types.new")
    };
    let rules = election_type.as_ref().map(|e| e.rules);
    let options = CitizenshipRule::ALL
        .iter()
        .map(|c| {
            (
                c.as_str().to_string(),
                t(&format!("citizenship_rule.{}", c.as_str())),
            )
        })
        .collect::<Vec<_>>();
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <form method="post" action=SaveElectionType::url()>
            <div class="form">
                <input type="hidden" name="id" value=election_type.as_ref().map(|e| e.id.to_string()).unwrap_or_default()/>
                <Field name="form[title]" label="field.title" value=election_type.as_ref().map(|e| e.title.clone()).unwrap_or_default() required=true/>
                <Checkbox name="form[min_age_18]" label="field.min_age_18" checked=rules.is_none_or(|r| r.min_age_18)/>
                <Checkbox name="form[resident]" label="field.resident" checked=rules.is_none_or(|r| r.resident)/>
                <Select name="form[citizenship]" label="field.citizenship" options
                    selected=rules.map(|r| r.citizenship.as_str().to_string()).unwrap_or_else(|| "danish".into())/>
                <Checkbox name="form[not_under_guardianship]" label="field.not_under_guardianship" checked=rules.is_none_or(|r| r.not_under_guardianship)/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
                <a class="btn btn-secondary" href="/election-types">{t("common.cancel")}</a>
            </div>
        </form>
    }
}
