//! Volunteers' shared lists; for now the special diets a municipality caters for.

use crate::components::{route_id, ActionError, DeleteForm, Field, Loaded, PageHead};
use crate::domain::volunteers::{Diet, DietForm};
use crate::domain::{AppError, Id};
use crate::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[server(endpoint = "diets/list")]
pub async fn list_diets() -> Result<Vec<Diet>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.list_diets().await
    })
    .await
}

#[server(endpoint = "diets/get")]
pub async fn get_diet(id: Option<Id>) -> Result<Option<Diet>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        match id {
            Some(id) => ctx.storage.get_diet(id).await.map(Some),
            None => Ok(None),
        }
    })
    .await
}

#[server(endpoint = "diets/save")]
pub async fn save_diet(id: String, form: DietForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let name = form.parse()?;
        match crate::elections::optional_id(&id)? {
            Some(id) => ctx.storage.update_diet(id, &name).await?,
            None => {
                ctx.storage.create_diet(&name).await?;
            }
        }
        crate::server::redirect_to("/diets");
        Ok(())
    })
    .await
}

#[server(endpoint = "diets/delete")]
pub async fn delete_diet(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.delete_diet(id).await?;
        crate::server::redirect_to("/diets");
        Ok(())
    })
    .await
}

#[component]
pub fn DietsPage() -> impl IntoView {
    let diets = Resource::new(|| (), |_| list_diets());
    view! {
        <Title text=t("diets.title")/>
        <PageHead title=t("diets.title") new_href="/diets/new" new_label="diets.new"/>
        <Loaded resource=diets view={|list: Vec<Diet>| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t("field.name")}</th>
                            <th scope="col" class="num">{t("diets.volunteers")}</th>
                            <th scope="col">{t("common.actions")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|diet| view! {
                            <tr>
                                <td>{diet.name.clone()}</td>
                                <td class="num">{diet.volunteers}</td>
                                <td class="actions">
                                    <a class="btn btn-secondary btn-small" href=format!("/diets/{}", diet.id)>
                                        {t("common.edit")}<span class="visually-hidden">" " {diet.name.clone()}</span>
                                    </a>
                                    <DeleteForm url=DeleteDiet::url() id=diet.id label=diet.name.clone()/>
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
pub fn DietFormPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, get_diet);
    view! { <Loaded resource=data view={|diet: Option<Diet>| view! { <DietFormView diet/> }}/> }
}

#[component]
fn DietFormView(diet: Option<Diet>) -> impl IntoView {
    let action = ServerAction::<SaveDiet>::new();
    let heading = if diet.is_some() {
        t("diets.edit")
    } else {
        t("diets.new")
    };
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <ActionError action/>
        <ActionForm action>
            <div class="form">
                <input type="hidden" name="id" value=diet.as_ref().map(|d| d.id.to_string()).unwrap_or_default()/>
                <Field name="form[name]" label="field.name" value=diet.as_ref().map(|d| d.name.clone()).unwrap_or_default() required=true/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
                <a class="btn btn-secondary" href="/diets">{t("common.cancel")}</a>
            </div>
        </ActionForm>
    }
}
