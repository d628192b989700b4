//! Importing volunteers from a CSV file: the office pastes or picks the
//! file, sees every row with its problems, and imports only a file without
//! any — all rows or none.

use crate::components::{ActionError, Loaded};
use crate::domain::imports::ImportReport;
use crate::domain::AppError;
use crate::i18n::{t, t_with, Texts};
use leptos::prelude::*;
use leptos_meta::Title;

/// Checks a file and, with `save` = "yes" and no problems, stores it. A
/// file with any problem stores nothing.
#[server(endpoint = "volunteers/import")]
pub async fn import_volunteers(
    csv: String,
    #[server(default)] team_id: String,
    #[server(default)] save: String,
    #[server(default)] digest: String,
) -> Result<ImportReport, AppError> {
    crate::server::guarded(async move {
        use crate::domain::imports::{parse_csv, Columns, ImportRow, MAX_BYTES, MAX_ROWS};
        use crate::domain::volunteers::Language;
        let (ctx, user) = crate::server::require_planner().await?;
        if csv.len() > MAX_BYTES {
            return Err(AppError::invalid("csv", "import.too_big"));
        }
        let team = crate::domain::forms::optional_id("team_id", &team_id)?;
        if let Some(team) = team {
            crate::server::choices::require_team(&ctx, "team_id", team).await?;
        }
        let mut rows = parse_csv(&csv).into_iter();
        let heading = rows
            .next()
            .ok_or_else(|| AppError::invalid("csv", "error.required"))?;
        let columns = Columns::from_heading(&heading)?;
        let rows: Vec<Vec<String>> = rows.collect();
        if rows.is_empty() {
            return Err(AppError::invalid("csv", "import.no_rows"));
        }
        if rows.len() > MAX_ROWS {
            return Err(AppError::invalid("csv", "import.too_big"));
        }
        let today = ctx.today();
        let mut report = ImportReport {
            rows: Vec::with_capacity(rows.len()),
            imported: 0,
            digest: (ctx.hasher)(&csv),
        };
        let mut volunteers = Vec::with_capacity(rows.len());
        let mut seen = std::collections::HashSet::new();
        for (n, cells) in rows.iter().enumerate() {
            let form = columns.form(cells);
            let mut problems = Vec::new();
            match form.check(&ctx.settings.municipality_code, Language::Da, today, None) {
                Ok(volunteer) => {
                    let email = volunteer.email.as_str().to_lowercase();
                    if !seen.insert(email.clone()) {
                        problems.push(AppError::invalid("email", "import.duplicate_email"));
                    } else if ctx.storage.find_volunteer_by_email(&email).await?.is_some() {
                        problems.push(AppError::invalid("email", "import.email_exists"));
                    }
                    volunteers.push(volunteer);
                }
                Err(found) => problems = found,
            }
            report.rows.push(ImportRow {
                // The heading is line 1.
                line: n + 2,
                name: form.name.clone(),
                email: form.email.clone(),
                problems,
            });
        }
        if save.trim() == "yes" {
            // What is stored is what was previewed.
            if digest.trim() != report.digest {
                return Err(AppError::refused("import.changed"));
            }
            if report.problem_rows() > 0 {
                return Err(AppError::refused("import.has_problems"));
            }
            let ids = ctx
                .storage
                .import_volunteers(&volunteers, team, ctx.now())
                .await?;
            report.imported = ids.len();
            crate::server::audit(
                &ctx,
                Some(&user),
                crate::domain::audit::AuditAction::VolunteersImported,
                &format!("{} volunteers", ids.len()),
                &team.map(|t| format!("team {t}")).unwrap_or_default(),
            )
            .await;
        }
        Ok(report)
    })
    .await
}

#[server(endpoint = "volunteers/import_choices")]
pub async fn import_choices() -> Result<Vec<(crate::domain::Id, String)>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        crate::server::choices::teams(&ctx).await
    })
    .await
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| import_choices());
    view! {
        <Title text=t("import.title")/>
        <h1>{t("import.title")}</h1>
        <p>{t("import.explained")}</p>
        <p class="hint">{t("import.columns")}</p>
        <Loaded resource=teams view={|teams: Vec<(crate::domain::Id, String)>| view! {
            <ImportForm teams texts=Texts::of(&[
                "import.", "field.", "error.", "eligibility.",
                "profile.one_channel", "signup.birth_date_unlikely",
            ])/>
        }}/>
    }
}

/// A file read in the browser, its preview with every row's problems, and
/// the import: all in place, since the preview belongs to the file chosen.
#[island]
fn ImportForm(teams: Vec<(crate::domain::Id, String)>, texts: Texts) -> impl IntoView {
    texts.install();
    let preview = ServerAction::<ImportVolunteers>::new();
    let import = ServerAction::<ImportVolunteers>::new();
    let csv = RwSignal::new(String::new());
    let team = RwSignal::new(String::new());
    let report = move || preview.value().get().and_then(|r| r.ok());
    let imported = move || import.value().get().and_then(|r| r.ok());
    // Once stored, the preview and the file are done with.
    Effect::new(move |_| {
        if imported().is_some() {
            preview.value().set(None);
            csv.set(String::new());
        }
    });
    view! {
        {move || imported().map(|r| view! {
            <div class="alert alert-success" role="status"><p>{t_with("import.done", &[("n", &r.imported.to_string())])}</p></div>
        })}
        <ActionError action=preview/>
        <ActionForm action=preview attr:class="form card">
            <div class="field">
                <label for="import-file">{t("import.file")}</label>
                <input id="import-file" type="file" accept=".csv,text/csv,text/plain" on:change=move |ev| read_file(ev, csv)/>
            </div>
            <div class="field">
                <label for="import-csv">{t("import.csv")}</label>
                <textarea id="import-csv" name="csv" rows="8" required=true
                    prop:value=move || csv.get() on:input=move |ev| csv.set(event_target_value(&ev))></textarea>
            </div>
            <div class="field">
                <label for="import-team">{t("import.team")}</label>
                <select id="import-team" name="team_id" on:change=move |ev| team.set(event_target_value(&ev))>
                    <option value="">{t("import.no_team")}</option>
                    {teams.into_iter().map(|(id, name)| view! {
                        <option value=id.to_string()>{name}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="btn btn-secondary">{t("import.preview")}</button>
        </ActionForm>
        {move || report().map(|r| {
            let bad = r.problem_rows();
            let total = r.rows.len();
            view! {
                <section aria-labelledby="preview-heading">
                    <h2 id="preview-heading">{t("import.preview_title")}</h2>
                    {if bad > 0 {
                        view! { <div class="alert alert-error" role="alert"><p>{t_with("import.fix_rows", &[("n", &bad.to_string()), ("total", &total.to_string())])}</p></div> }.into_any()
                    } else {
                        view! {
                            <p>{t_with("import.ready", &[("n", &total.to_string())])}</p>
                            <ActionError action=import/>
                            <ActionForm action=import>
                                <input type="hidden" name="csv" prop:value=move || csv.get()/>
                                <input type="hidden" name="team_id" prop:value=move || team.get()/>
                                <input type="hidden" name="save" value="yes"/>
                                <input type="hidden" name="digest" value=r.digest.clone()/>
                                <button type="submit" class="btn btn-primary">{t_with("import.go", &[("n", &total.to_string())])}</button>
                            </ActionForm>
                        }.into_any()
                    }}
                    <div class="table-wrap" tabindex="0" role="region" aria-label=t("import.preview_rows")>
                        <table class="data">
                            <caption class="visually-hidden">{t("import.preview_title")}</caption>
                            <thead><tr>
                                <th scope="col">{t("import.line")}</th>
                                <th scope="col">{t("field.name")}</th>
                                <th scope="col">{t("field.email")}</th>
                                <th scope="col">{t("import.problems")}</th>
                            </tr></thead>
                            <tbody>
                                {r.rows.into_iter().map(|row| {
                                    let ok = row.problems.is_empty();
                                    view! {
                                        <tr class:row-problem=!ok>
                                            <td>{row.line}</td>
                                            <td>{row.name}</td>
                                            <td>{row.email}</td>
                                            <td>{if ok {
                                                t("import.row_ok")
                                            } else {
                                                row.problems.iter().map(crate::components::error_text).collect::<Vec<_>>().join("; ")
                                            }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            }
        })}
    }
}

// Spreadsheets save CSV as UTF-8 or, in Danish Excel, as Windows-1252:
// read UTF-8 when the bytes are valid UTF-8, else Windows-1252.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export async function readText(file) {
  const bytes = await file.arrayBuffer();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (_) {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
"#)]
extern "C" {
    #[wasm_bindgen(catch, js_name = readText)]
    async fn read_text(
        file: &web_sys::File,
    ) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

/// Puts a picked file's text into the form.
fn read_file(ev: leptos::ev::Event, csv: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(text) = read_text(&file).await {
                csv.set(text.as_string().unwrap_or_default());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, csv);
}
