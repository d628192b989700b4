//! Downloads of participant lists: `/exports/participants.csv` and
//! `.xlsx` (a real spreadsheet), `/exports/payroll.csv` (accepted shifts per
//! person, no-shows left out, with the identifier finance pays against and
//! the election's totals) and `/exports/valg-central.csv` (who is where on
//! the day, in the columns the municipality configured). Same filters as the
//! lists page, the same checks, and every export is audited. CPR numbers are
//! in a file only when asked for (`cpr=1`) by someone allowed to see them.

use crate::calendar::request_user;
use crate::startup::AppState;
use app::domain::accounts::CurrentUser;
use app::domain::cpr::CprNumber;
use app::domain::exports::{central_rows, payroll_identifier, payroll_totals};
use app::domain::lists::{payroll, to_csv, Column, Participant};
use app::domain::Id;
use app::lists::ListQuery;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// The people a request may list, with their columns; `may` is the file's
/// own check of the caller, made before anything is read or audited.
async fn listed(
    state: &AppState,
    headers: &HeaderMap,
    query: &ListQuery,
    what: &str,
    may: impl FnOnce(&CurrentUser) -> bool,
) -> Result<(Vec<Participant>, Vec<Column>), Response> {
    let ctx = &state.ctx;
    let user = match request_user(ctx, headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(StatusCode::UNAUTHORIZED.into_response()),
        Err(_) => return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    };
    if !may(&user) {
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    let status = |e: app::domain::AppError| {
        StatusCode::from_u16(e.status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response()
    };
    let (filter, columns) = app::lists::resolve(ctx, &user, query)
        .await
        .map_err(status)?;
    let people = ctx.storage.participants(&filter).await.map_err(status)?;
    app::lists::audit_list(ctx, &user, &columns, people.len(), what).await;
    Ok((people, columns))
}

/// The CPR numbers a file carries: none unless asked for (who may ask is
/// checked in [`export`]).
async fn numbers_for(
    state: &AppState,
    asked: bool,
    people: &[Participant],
) -> Result<HashMap<Id, CprNumber>, Response> {
    if !asked {
        return Ok(HashMap::new());
    }
    let ids: Vec<Id> = people.iter().map(|p| p.volunteer_id).collect();
    state
        .ctx
        .storage
        .cpr_numbers(&ids)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn words() -> impl Fn(&str) -> String {
    // Files are in the municipality's language.
    |key: &str| app::i18n::translate(app::i18n::Locale::Da, key)
}

fn download(content_type: &'static str, name: &'static str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, no-store"),
            (
                header::CONTENT_DISPOSITION,
                match name {
                    "participants.csv" => "attachment; filename=\"deltagere.csv\"",
                    "participants.xlsx" => "attachment; filename=\"deltagere.xlsx\"",
                    "valg-central.csv" => "attachment; filename=\"valg-central.csv\"",
                    _ => "attachment; filename=\"loen.csv\"",
                },
            ),
        ],
        body,
    )
        .into_response()
}

/// `/exports/{file}`: participants.csv, participants.xlsx or payroll.csv.
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let file: &'static str = match file.as_str() {
        "participants.csv" => "participants.csv",
        "participants.xlsx" => "participants.xlsx",
        "payroll.csv" => "payroll.csv",
        "valg-central.csv" => "valg-central.csv",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let with_cpr = match query.cpr.trim() {
        "" | "0" => false,
        "1" => true,
        _ => return StatusCode::UNPROCESSABLE_ENTITY.into_response(),
    };
    let mut query = query;
    if file != "participants.csv" && file != "participants.xlsx" {
        // These files have columns of their own.
        query.columns = String::new();
    }
    let what = match (file, with_cpr) {
        ("payroll.csv", true) => "payroll.csv, CPR numbers",
        ("valg-central.csv", true) => "valg-central.csv, CPR numbers",
        _ => file,
    };
    // Numbers only for the office without area limits; the Valg Central
    // file (names and birth dates) only for those who see everyone's data.
    let may = |user: &CurrentUser| {
        (!with_cpr || user.can_plan()) && (file != "valg-central.csv" || user.sees_all_contacts())
    };
    let (people, columns) = match listed(&state, &headers, &query, what, may).await {
        Ok(listed) => listed,
        Err(response) => return response,
    };
    let numbers = match numbers_for(&state, with_cpr, &people).await {
        Ok(numbers) => numbers,
        Err(response) => return response,
    };
    let word = words();
    // The list's own columns, for the two files that have them.
    let table = || {
        let headings: Vec<String> = columns.iter().map(|c| word(&c.key())).collect();
        let rows: Vec<Vec<String>> = people
            .iter()
            .map(|p| columns.iter().map(|c| p.cell(*c, &word)).collect())
            .collect();
        (headings, rows)
    };
    match file {
        "participants.csv" => {
            let (headings, rows) = table();
            download(
                "text/csv; charset=utf-8",
                file,
                to_csv(&headings, &rows).into_bytes(),
            )
        }
        "participants.xlsx" => {
            let (headings, rows) = table();
            match spreadsheet(&headings, &columns, &people, &rows) {
                Ok(bytes) => download(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    file,
                    bytes,
                ),
                Err(e) => {
                    tracing::error!("could not write a spreadsheet: {e}");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        "valg-central.csv" => {
            let central = &state.ctx.settings.central_columns;
            let headings: Vec<String> = central.iter().map(|c| word(&c.key())).collect();
            download(
                "text/csv; charset=utf-8",
                file,
                to_csv(&headings, &central_rows(&people, &numbers, central)).into_bytes(),
            )
        }
        _ => {
            let lines = payroll(&people);
            let ids: Vec<Id> = lines.iter().map(|l| l.volunteer_id).collect();
            let payroll_numbers = match state.ctx.storage.payroll_numbers(&ids).await {
                Ok(found) => found,
                Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            };
            let headings = [
                "lists.identifier",
                "lists.col.name",
                "lists.shifts",
                "lists.total_dkk",
            ]
            .map(&word);
            let totals = payroll_totals(&lines);
            let mut rows: Vec<Vec<String>> = lines
                .into_iter()
                .map(|l| {
                    vec![
                        payroll_identifier(l.volunteer_id, &numbers, &payroll_numbers),
                        l.name,
                        l.shifts.to_string(),
                        l.total_dkk.to_string(),
                    ]
                })
                .collect();
            // The election's totals, as the last line.
            rows.push(vec![
                word("lists.total"),
                word("lists.people").replace("{n}", &totals.people.to_string()),
                totals.shifts.to_string(),
                totals.total_dkk.to_string(),
            ]);
            download(
                "text/csv; charset=utf-8",
                file,
                to_csv(&headings, &rows).into_bytes(),
            )
        }
    }
}

/// The list as an XLSX workbook: a bold heading row, numbers as numbers,
/// dates as dates.
fn spreadsheet(
    headings: &[String],
    columns: &[Column],
    people: &[Participant],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name("Deltagere")?;
    for (c, heading) in headings.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, heading, &bold)?;
    }
    for (r, (person, row)) in people.iter().zip(rows).enumerate() {
        let r = r as u32 + 1;
        for (c, (column, text)) in columns.iter().zip(row).enumerate() {
            let c = c as u16;
            match column {
                Column::Payment => {
                    sheet.write_number(r, c, person.payment_dkk as f64)?;
                }
                Column::Date => {
                    use chrono::Datelike;
                    let day = ExcelDateTime::from_ymd(
                        person.day.year() as u16,
                        person.day.month() as u8,
                        person.day.day() as u8,
                    )?;
                    sheet.write_datetime_with_format(r, c, &day, &date)?;
                }
                _ => {
                    sheet.write_string(r, c, text)?;
                }
            }
        }
    }
    sheet.autofit();
    book.save_to_buffer()
}
