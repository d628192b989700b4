//! Areas and the polling stations they group.

use crate::components::{route_id, DeleteForm, Field, Loaded, PageHead, Select, TextArea};
use crate::domain::stations::{Area, AreaForm, Station, StationForm};
use crate::domain::{AppError, Id};
use crate::i18n::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------- server

#[server(endpoint = "areas/list")]
pub async fn list_areas() -> Result<Vec<Area>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.list_areas().await
    })
    .await
}

#[server(endpoint = "areas/get")]
pub async fn get_area(id: Option<Id>) -> Result<Option<Area>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        match id {
            Some(id) => ctx.storage.get_area(id).await.map(Some),
            None => Ok(None),
        }
    })
    .await
}

#[server(endpoint = "areas/save")]
pub async fn save_area(id: String, form: AreaForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let new = form.parse()?;
        match crate::elections::optional_id(&id)? {
            Some(id) => ctx.storage.update_area(id, &new).await?,
            None => {
                ctx.storage.create_area(&new).await?;
            }
        }
        crate::server::redirect_to("/areas");
        Ok(())
    })
    .await
}

#[server(endpoint = "areas/delete")]
pub async fn delete_area(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.delete_area(id).await?;
        crate::server::redirect_to("/areas");
        Ok(())
    })
    .await
}

#[server(endpoint = "stations/list")]
pub async fn list_stations() -> Result<Vec<Station>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        ctx.storage.list_stations().await
    })
    .await
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StationFormData {
    pub station: Option<Station>,
    pub areas: Vec<Area>,
}

#[server(endpoint = "stations/form")]
pub async fn load_station_form(id: Option<Id>) -> Result<StationFormData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_plan_viewer().await?;
        let station = match id {
            Some(id) => Some(ctx.storage.get_station(id).await?),
            None => None,
        };
        let mut areas = ctx.storage.list_areas().await?;
        // A coordinator limited to areas can only place stations in those.
        if user.can_plan_somewhere() {
            areas.retain(|a| user.can_plan_area(a.id));
        }
        Ok(StationFormData { station, areas })
    })
    .await
}

#[server(endpoint = "stations/save")]
pub async fn save_station(id: String, form: StationForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_area_planner().await?;
        let new = form.parse()?;
        crate::server::allow(user.can_plan_area(new.area_id))?;
        match crate::elections::optional_id(&id)? {
            Some(id) => {
                let current = ctx.storage.get_station(id).await?;
                crate::server::allow(user.can_plan_area(current.area_id))?;
                ctx.storage.update_station(id, &new).await?
            }
            None => {
                ctx.storage.create_station(&new).await?;
            }
        }
        crate::server::redirect_to("/stations");
        Ok(())
    })
    .await
}

#[server(endpoint = "stations/delete")]
pub async fn delete_station(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_area_planner().await?;
        let station = ctx.storage.get_station(id).await?;
        crate::server::allow(user.can_plan_area(station.area_id))?;
        ctx.storage.delete_station(id).await?;
        crate::server::redirect_to("/stations");
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

#[component]
pub fn AreasPage() -> impl IntoView {
    let areas = Resource::new(|| (), |_| list_areas());
    view! {
        <Title text=t("areas.title")/>
        <PageHead title=t("areas.title") new_href="/areas/new" new_label="areas.new"/>
        <Loaded resource=areas view={|list: Vec<Area>| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t("field.name")}</th>
                            <th scope="col">{t("field.description")}</th>
                            <th scope="col" class="num">{t("areas.stations")}</th>
                            <th scope="col">{t("common.actions")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|a| view! {
                            <tr>
                                <td>{a.name.clone()}</td>
                                <td>{a.description.clone()}</td>
                                <td class="num">{a.stations}</td>
                                <td class="actions">
                                    <a class="btn btn-secondary btn-small" href=format!("/areas/{}", a.id)>
                                        {t("common.edit")}<span class="visually-hidden">" " {a.name.clone()}</span>
                                    </a>
                                    <DeleteForm url=DeleteArea::url() id=a.id label=a.name.clone()/>
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
pub fn AreaFormPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, get_area);
    view! { <Loaded resource=data view={|a: Option<Area>| view! { <AreaFormView area=a/> }}/> }
}

#[component]
fn AreaFormView(area: Option<Area>) -> impl IntoView {
    let heading = if area.is_some() {
        t("areas.edit")
    } else {
        t("areas.new")
    };
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <form method="post" action=SaveArea::url()>
            <div class="form">
                <input type="hidden" name="id" value=area.as_ref().map(|a| a.id.to_string()).unwrap_or_default()/>
                <Field name="form[name]" label="field.name" value=area.as_ref().map(|a| a.name.clone()).unwrap_or_default() required=true/>
                <TextArea name="form[description]" label="field.description" value=area.as_ref().map(|a| a.description.clone()).unwrap_or_default()/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
                <a class="btn btn-secondary" href="/areas">{t("common.cancel")}</a>
            </div>
        </form>
    }
}

#[component]
pub fn StationsPage() -> impl IntoView {
    let stations = Resource::new(|| (), |_| list_stations());
    view! {
        <Title text=t("stations.title")/>
        <PageHead title=t("stations.title") new_href="/stations/new" new_label="stations.new"/>
        <Loaded resource=stations view={|list: Vec<Station>| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t("field.name")}</th>
                            <th scope="col">{t("field.area_id")}</th>
                            <th scope="col">{t("field.address")}</th>
                            <th scope="col" class="num">{t("field.district_number")}</th>
                            <th scope="col">{t("common.actions")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|s| view! {
                            <tr>
                                <td>{s.name.clone()}</td>
                                <td>{s.area_name.clone()}</td>
                                <td>{format!("{}, {} {}", s.address, s.postal_code, s.city)}</td>
                                <td class="num">{s.district_number}</td>
                                <td class="actions">
                                    <a class="btn btn-secondary btn-small" href=format!("/stations/{}/roster", s.id)>
                                        {t("rosters.show")}<span class="visually-hidden">" " {s.name.clone()}</span>
                                    </a>
                                    <a class="btn btn-secondary btn-small" href=format!("/stations/{}", s.id)>
                                        {t("common.edit")}<span class="visually-hidden">" " {s.name.clone()}</span>
                                    </a>
                                    <DeleteForm url=DeleteStation::url() id=s.id label=s.name.clone()/>
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
pub fn StationFormPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, load_station_form);
    view! { <Loaded resource=data view={|d: StationFormData| view! { <StationFormView data=d/> }}/> }
}

#[component]
fn StationFormView(data: StationFormData) -> impl IntoView {
    let s = data.station;
    let heading = if s.is_some() {
        t("stations.edit")
    } else {
        t("stations.new")
    };
    let areas = data
        .areas
        .iter()
        .map(|a| (a.id.to_string(), a.name.clone()))
        .collect::<Vec<_>>();
    let text = {
        let owned = s.clone();
        move |f: fn(&Station) -> String| owned.as_ref().map(f).unwrap_or_default()
    };
    let coordinate = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    view! {
        <Title text=heading.clone()/>
        <h1>{heading}</h1>
        <form method="post" action=SaveStation::url()>
            <div class="form form-grid">
                <input type="hidden" name="id" value=text(|s| s.id.to_string())/>
                <Field name="form[name]" label="field.name" value=text(|s| s.name.clone()) required=true/>
                <Select name="form[area_id]" label="field.area_id" options=areas selected=text(|s| s.area_id.to_string())/>
                <Field name="form[address]" label="field.address" value=text(|s| s.address.clone()) required=true autocomplete="street-address"/>
                <Field name="form[postal_code]" label="field.postal_code" value=text(|s| s.postal_code.clone()) required=true autocomplete="postal-code"/>
                <Field name="form[city]" label="field.city" value=text(|s| s.city.clone()) required=true/>
                <Field name="form[district_number]" label="field.district_number" kind="number" min="1" max="999"
                    value=text(|s| s.district_number.to_string()) required=true hint="stations.district_hint"/>
                <Field name="form[latitude]" label="field.latitude" value=coordinate(s.as_ref().and_then(|s| s.latitude)) hint="stations.coordinates_hint"/>
                <Field name="form[longitude]" label="field.longitude" value=coordinate(s.as_ref().and_then(|s| s.longitude))/>
            </div>
            <div class="form">
                <TextArea name="form[notes]" label="field.notes" value=text(|s| s.notes.clone())/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
                <a class="btn btn-secondary" href="/stations">{t("common.cancel")}</a>
            </div>
        </form>
    }
}
