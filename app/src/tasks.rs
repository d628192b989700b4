//! Task types: the kinds of work at a station.

use crate::components::{route_id, Checkbox, DeleteForm, Field, Loaded, PageHead, TextArea};
use crate::domain::tasks::{TaskType, TaskTypeForm};
use crate::domain::{AppError, Id};
use crate::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[server(endpoint = "task_types/list")]
pub async fn list_task_types() -> Result<Vec<TaskType>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.list_task_types().await
    })
    .await
}

#[server(endpoint = "task_types/get")]
pub async fn get_task_type(id: Option<Id>) -> Result<Option<TaskType>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        match id {
            Some(id) => ctx.storage.get_task_type(id).await.map(Some),
            None => Ok(None),
        }
    })
    .await
}

#[server(endpoint = "task_types/save")]
pub async fn save_task_type(id: String, form: TaskTypeForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let new = form.parse()?;
        match crate::elections::optional_id(&id)? {
            Some(id) => ctx.storage.update_task_type(id, &new).await?,
            None => {
                ctx.storage.create_task_type(&new).await?;
            }
        }
        crate::server::redirect_to("/task-types");
        Ok(())
    })
    .await
}

#[server(endpoint = "task_types/delete")]
pub async fn delete_task_type(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.delete_task_type(id).await?;
        crate::server::redirect_to("/task-types");
        Ok(())
    })
    .await
}

pub fn time_range(task: &TaskType) -> String {
    format!(
        "{}–{}",
        task.start_time.format("%H:%M"),
        task.end_time.format("%H:%M")
    )
}

#[component]
pub fn TaskTypesPage() -> impl IntoView {
    let tasks = Resource::new(|| (), |_| list_task_types());
    view! {
        <Title text=t("task_types.title")/>
        <PageHead title=t("task_types.title") new_href="/task-types/new" new_label="task_types.new"/>
        <Loaded resource=tasks view={|list: Vec<TaskType>| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t("field.title")}</th>
                            <th scope="col">{t("field.short_name")}</th>
                            <th scope="col">{t("task_types.time")}</th>
                            <th scope="col" class="num">{t("field.payment_dkk")}</th>
                            <th scope="col">{t("common.actions")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|task| view! {
                            <tr>
                                <td>
                                    {task.title.clone()}
                                    {task.trusted.then(|| view! { " " <span class="badge badge-trusted">{t("field.trusted")}</span> })}
                                </td>
                                <td>{task.short_name.clone()}</td>
                                <td>{time_range(&task)}</td>
                                <td class="num">{crate::i18n::t_with("common.dkk", &[("n", &task.payment_dkk.to_string())])}</td>
                                <td class="actions">
                                    <a class="btn btn-secondary btn-small" href=format!("/task-types/{}", task.id)>
                                        {t("common.edit")}<span class="visually-hidden">" " {task.title.clone()}</span>
                                    </a>
                                    <DeleteForm url=DeleteTaskType::url() id=task.id label=task.title.clone()/>
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
pub fn TaskTypeFormPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, get_task_type);
    view! { <Loaded resource=data view={|task: Option<TaskType>| view! { <TaskTypeFormView task/> }}/> }
}

#[component]
fn TaskTypeFormView(task: Option<TaskType>) -> impl IntoView {
    let heading = if task.is_some() {
        t("task_types.edit")
    } else {
        t("task_types.new")
    };
    let text = {
        let owned = task.clone();
        move |f: fn(&TaskType) -> String| owned.as_ref().map(f).unwrap_or_default()
    };
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <form method="post" action=SaveTaskType::url()>
            <div class="form form-grid">
                <input type="hidden" name="id" value=text(|t| t.id.to_string())/>
                <Field name="form[title]" label="field.title" value=text(|t| t.title.clone()) required=true/>
                <Field name="form[short_name]" label="field.short_name" value=text(|t| t.short_name.clone()) required=true hint="task_types.short_name_hint"/>
                <Field name="form[start_time]" label="field.start_time" kind="time" value=text(|t| t.start_time.format("%H:%M").to_string()) required=true/>
                <Field name="form[end_time]" label="field.end_time" kind="time" value=text(|t| t.end_time.format("%H:%M").to_string()) required=true hint="task_types.midnight_hint"/>
                <Field name="form[payment_dkk]" label="field.payment_dkk" kind="number" min="0"
                    value=task.as_ref().map(|t| t.payment_dkk.to_string()).unwrap_or_else(|| "0".into()) required=true/>
            </div>
            <div class="form">
                <TextArea name="form[description]" label="field.description" value=text(|t| t.description.clone())/>
                <Checkbox name="form[trusted]" label="field.trusted" checked=task.as_ref().is_some_and(|t| t.trusted)/>
                <Checkbox name="form[eligibility_checks_off]" label="field.eligibility_checks_off" checked=task.as_ref().is_some_and(|t| t.eligibility_checks_off)/>
                <Checkbox name="form[reminders]" label="field.reminders" checked=task.as_ref().is_none_or(|t| t.reminders)/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
                <a class="btn btn-secondary" href="/task-types">{t("common.cancel")}</a>
            </div>
        </form>
    }
}
