//! Participant lists for the office: filters, a column chooser, a preview,
//! and the same list as a CSV file or a real spreadsheet (XLSX, made by the
//! server at `/exports/participants.xlsx`), plus payroll per person. Every
//! list with contact data and every export goes to the audit log.

use crate::components::Loaded;
use crate::domain::lists::Column;
use crate::domain::{AppError, Id};
use crate::i18n::{long_date, t};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// A list's filters and columns as the address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub election: String,
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub station: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub task_type: String,
    #[serde(default)]
    pub status: String,
    /// Comma-separated column names.
    #[serde(default)]
    pub columns: String,
    /// "1": the Valg Central and payroll files carry CPR numbers (those
    /// allowed to see them only; never unless asked for).
    #[serde(default)]
    pub cpr: String,
}

impl ListQuery {
    /// The filters that are set, as an address's query pairs (no columns).
    pub fn filter_pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("election", &self.election),
            ("day", &self.day),
            ("area", &self.area),
            ("station", &self.station),
            ("team", &self.team),
            ("task_type", &self.task_type),
            ("status", &self.status),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect()
    }
}

/// Validates a list's query for `user`: an election (the first active one
/// when none is named), the filters, and columns they may see.
#[cfg(feature = "ssr")]
pub async fn resolve(
    ctx: &crate::server::ServerContext,
    user: &crate::domain::accounts::CurrentUser,
    query: &ListQuery,
) -> Result<(crate::domain::lists::ListFilter, Vec<Column>), AppError> {
    crate::server::allow(user.can_view_plan())?;
    let columns = crate::domain::lists::parse_columns(&query.columns)
        .ok_or_else(|| AppError::invalid("columns", "error.unknown_choice"))?;
    if columns.iter().any(|c| c.is_contact()) && !user.sees_all_contacts() {
        return Err(AppError::Forbidden);
    }
    let election_id = match crate::domain::forms::optional_id("election", &query.election)? {
        Some(id) => ctx.storage.get_election(id).await?.id,
        None => ctx
            .storage
            .list_elections()
            .await?
            .into_iter()
            .find(|e| e.active)
            .map(|e| e.id)
            .ok_or(AppError::NotFound)?,
    };
    let status = match query.status.trim() {
        "" => None,
        raw => Some(
            crate::domain::seats::SeatStatus::parse(raw)
                .ok_or_else(|| AppError::invalid("status", "error.unknown_choice"))?,
        ),
    };
    let day = crate::domain::forms::optional_date("day", &query.day)?;
    let area = crate::domain::forms::optional_id("area", &query.area)?;
    // A coordinator limited to areas lists only people there; naming
    // another area is refused, naming none lists their own.
    let within_areas = user.area_limit().map(<[_]>::to_vec);
    if let (Some(limit), Some(area)) = (&within_areas, area) {
        crate::server::allow(limit.contains(&area))?;
    }
    Ok((
        crate::domain::lists::ListFilter {
            election_id,
            day,
            within_areas,
            area,
            station: crate::domain::forms::optional_id("station", &query.station)?,
            team: crate::domain::forms::optional_id("team", &query.team)?,
            task_type: crate::domain::forms::optional_id("task_type", &query.task_type)?,
            status,
        },
        columns,
    ))
}

/// Writes who looked at or exported a list with contact data.
#[cfg(feature = "ssr")]
pub async fn audit_list(
    ctx: &crate::server::ServerContext,
    user: &crate::domain::accounts::CurrentUser,
    columns: &[Column],
    rows: usize,
    what: &str,
) {
    let contact = columns.iter().any(|c| c.is_contact());
    if contact || what != "view" {
        crate::server::audit(
            ctx,
            Some(user),
            if what == "view" {
                crate::domain::audit::AuditAction::ContactViewed
            } else {
                crate::domain::audit::AuditAction::ListExported
            },
            &format!("participants ({what})"),
            &format!("{rows} rows"),
        )
        .await;
    }
}

/// How many rows the page shows; the files hold them all.
pub const PREVIEW: usize = 300;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListData {
    pub elections: Vec<(Id, String)>,
    pub election_id: Id,
    pub days: Vec<NaiveDate>,
    pub areas: Vec<(Id, String)>,
    pub stations: Vec<(Id, String)>,
    pub teams: Vec<(Id, String)>,
    pub task_types: Vec<(Id, String)>,
    pub columns: Vec<Column>,
    /// The visitor may choose contact columns.
    pub contact_allowed: bool,
    pub rows: Vec<Vec<String>>,
    pub total: usize,
    /// The visitor may send the listed people a message.
    pub can_message: bool,
    /// The visitor may take the files the office hands on (Valg Central).
    pub office_files: bool,
    /// The visitor may ask for those files with CPR numbers.
    pub cpr_allowed: bool,
    /// What the listed seats come to for payroll.
    pub payroll: crate::domain::exports::PayrollTotals,
}

#[server(endpoint = "lists/participants")]
pub async fn load_list(query: ListQuery) -> Result<ListData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_plan_viewer().await?;
        let (filter, columns) = resolve(&ctx, &user, &query).await?;
        let people = ctx.storage.participants(&filter).await?;
        audit_list(&ctx, &user, &columns, people.len(), "view").await;
        let locale = crate::request_locale();
        let word = |key: &str| crate::i18n::translate(locale, key);
        Ok(ListData {
            elections: ctx
                .storage
                .list_elections()
                .await?
                .into_iter()
                .filter(|e| e.active || e.id == filter.election_id)
                .map(|e| (e.id, e.title))
                .collect(),
            election_id: filter.election_id,
            days: ctx.storage.election_days(filter.election_id).await?,
            // An area-limited coordinator chooses among their own areas.
            areas: crate::server::choices::areas(&ctx)
                .await?
                .into_iter()
                .filter(|(id, _)| user.area_limit().is_none_or(|areas| areas.contains(id)))
                .collect(),
            stations: crate::server::choices::stations(&ctx).await?,
            teams: crate::server::choices::teams(&ctx).await?,
            task_types: crate::server::choices::task_types(&ctx, false).await?,
            contact_allowed: user.sees_all_contacts(),
            can_message: user.can_plan_somewhere(),
            office_files: user.sees_all_contacts(),
            cpr_allowed: user.can_plan(),
            payroll: crate::domain::exports::payroll_totals(&crate::domain::lists::payroll(
                &people,
            )),
            total: people.len(),
            rows: people
                .iter()
                .take(PREVIEW)
                .map(|p| columns.iter().map(|c| p.cell(*c, &word)).collect())
                .collect(),
            columns,
        })
    })
    .await
}

/// The page's query from its address (columns as repeated `col`).
pub fn query_from_address() -> impl Fn() -> ListQuery + Copy {
    let query = leptos_router::hooks::use_query_map();
    move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        ListQuery {
            election: get("election"),
            day: get("day"),
            area: get("area"),
            station: get("station"),
            team: get("team"),
            task_type: get("task_type"),
            status: get("status"),
            columns: q.get_all("col").unwrap_or_default().join(","),
            cpr: String::new(),
        }
    }
}

#[component]
pub fn ListsPage() -> impl IntoView {
    let query = query_from_address();
    let data = Resource::new(query, load_list);
    let title = t("lists.title");
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <Loaded resource=data view=move |d: ListData| view! { <ListView data=d query=query()/> }/>
    }
}

#[component]
fn ListView(data: ListData, query: ListQuery) -> impl IntoView {
    let pick = |name: &'static str,
                label: &'static str,
                all: &'static str,
                list: &[(Id, String)],
                chosen: &str| {
        let id = format!("list-{name}");
        view! {
            <div class="field">
                <label for=id.clone()>{t(label)}</label>
                <select id=id name=name>
                    <option value="" selected=chosen.is_empty()>{t(all)}</option>
                    {list.iter().map(|(v, text)| {
                        let selected = chosen == v.to_string();
                        view! { <option value=v.to_string() selected=selected>{text.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    // The same filters and columns for the files, and for the message.
    let shown = ListQuery {
        election: data.election_id.to_string(),
        ..query.clone()
    };
    let mut params: Vec<(String, String)> = shown
        .filter_pairs()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    params.push((
        "columns".into(),
        data.columns
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(","),
    ));
    let file_query: String = params
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(',', "%2C")))
        .collect::<Vec<_>>()
        .join("&");
    let columns = data.columns.clone();
    let election = data.election_id.to_string();
    view! {
        <form class="filters card board-filters" method="get" aria-label=t("lists.filters")>
            <div class="field">
                <label for="list-election">{t("board.election")}</label>
                <select id="list-election" name="election">
                    {data.elections.iter().map(|(id, title)| view! {
                        <option value=id.to_string() selected=election == id.to_string()>{title.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="list-day">{t("board.day")}</label>
                <select id="list-day" name="day">
                    <option value="" selected=query.day.is_empty()>{t("board.all_days")}</option>
                    {data.days.iter().map(|d| view! {
                        <option value=d.to_string() selected=query.day == d.to_string()>{long_date(*d)}</option>
                    }).collect_view()}
                </select>
            </div>
            {pick("area", "board.area", "board.all_areas", &data.areas, &query.area)}
            {pick("station", "board.station", "lists.all_stations", &data.stations, &query.station)}
            {pick("team", "board.team", "board.all_teams", &data.teams, &query.team)}
            {pick("task_type", "board.task_type", "board.all_task_types", &data.task_types, &query.task_type)}
            <div class="field">
                <label for="list-status">{t("lists.status")}</label>
                <select id="list-status" name="status">
                    <option value="" selected=query.status.is_empty()>{t("lists.all_statuses")}</option>
                    {["accepted", "invited"].into_iter().map(|s| view! {
                        <option value=s selected=query.status == s>{t(&format!("status.{s}"))}</option>
                    }).collect_view()}
                </select>
            </div>
            <fieldset class="choice-group list-columns">
                <legend>{t("lists.columns")}</legend>
                {Column::ALL.into_iter().filter(|c| data.contact_allowed || !c.is_contact()).map(|c| {
                    let id = format!("col-{}", c.as_str());
                    view! {
                        <div class="field-inline">
                            <input type="checkbox" id=id.clone() name="col" value=c.as_str() checked=columns.contains(&c)/>
                            <label for=id>{t(&c.key())}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <button type="submit" class="btn btn-primary">{t("board.show")}</button>
        </form>
        <p class="toolbar">
            <a class="btn btn-secondary" href=format!("/exports/participants.csv?{file_query}") download="deltagere.csv">{t("lists.csv")}</a>
            <a class="btn btn-secondary" href=format!("/exports/participants.xlsx?{file_query}") download="deltagere.xlsx">{t("lists.xlsx")}</a>
            <a class="btn btn-secondary" href=format!("/exports/payroll.csv?{file_query}") download="loen.csv">{t("lists.payroll")}</a>
            {data.office_files.then(|| view! {
                <a class="btn btn-secondary" href=format!("/exports/valg-central.csv?{file_query}") download="valg-central.csv">{t("lists.valg_central")}</a>
            })}
        </p>
        {data.cpr_allowed.then(|| view! {
            <p class="toolbar">
                <span class="muted">{t("lists.with_cpr")}</span>
                <a class="btn btn-secondary" href=format!("/exports/payroll.csv?{file_query}&cpr=1") download="loen.csv">{t("lists.payroll")}</a>
                <a class="btn btn-secondary" href=format!("/exports/valg-central.csv?{file_query}&cpr=1") download="valg-central.csv">{t("lists.valg_central")}</a>
            </p>
        })}
        <p class="board-summary" data-testid="payroll-totals">{crate::i18n::t_with("lists.payroll_totals", &[
            ("people", &data.payroll.people.to_string()),
            ("shifts", &data.payroll.shifts.to_string()),
            ("total", &data.payroll.total_dkk.to_string()),
        ])}</p>
        <p class="board-summary" data-testid="list-total">{crate::i18n::t_with("lists.count", &[("n", &data.total.to_string())])}</p>
        {(data.total > data.rows.len()).then(|| view! { <p class="hint">{t("lists.preview_only")}</p> })}
        <div class="table-wrap" tabindex="0" role="region" aria-label=t("lists.table")>
            <table class="data">
                <thead>
                    <tr>{data.columns.iter().map(|c| view! { <th scope="col">{t(&c.key())}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {data.rows.into_iter().map(|row| view! {
                        <tr>{row.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        // Writing to them is a page of its own, with the same filters.
        {(data.can_message && data.total > 0).then(|| view! {
            <p><a class="btn btn-primary" href=crate::domain::forms::with_query("/lists/message", &shown.filter_pairs())>
                {t("group.title")}
            </a></p>
        })}
    }
}
