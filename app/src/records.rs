//! The office's record of one person, on `/volunteers/:id` and its edit
//! page: what has happened to them (seat history, messages and their
//! delivery), how they sign in (passkeys and push devices, no secrets), the
//! office's own notes, and creating or correcting a person on their behalf
//! (every change audited with before and after).

use crate::components::{Field, Loaded};
use crate::domain::accounts::PasskeyInfo;
use crate::domain::notifications::{MessageRecord, PushDevice};
use crate::domain::volunteers::{Diet, NewcomerForm, Note, SeatEvent, Volunteer};
use crate::domain::{AppError, Id};
use crate::i18n::{date_time_at, short_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// What only the office sees of a person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OfficeRecord {
    pub history: Vec<SeatEvent>,
    pub messages: Vec<MessageRecord>,
    pub notes: Vec<Note>,
    /// They have an account (have signed in, or were given one).
    pub has_account: bool,
    /// When the office set them aside, if it did.
    pub deactivated_at: Option<i64>,
    pub passkeys: Vec<PasskeyInfo>,
    pub devices: Vec<PushDevice>,
    /// The viewer may write notes and correct the record.
    pub can_edit: bool,
    /// The CPR number and its lookup, for the office only.
    pub cpr: Option<crate::civil_register::CprSection>,
    /// The payroll number, for those who may set it (`None` for others).
    pub payroll_number: Option<Option<String>>,
}

/// The office's part of a person's page; `None` for anyone else.
#[cfg(feature = "ssr")]
pub async fn office_record(
    ctx: &crate::server::ServerContext,
    user: &crate::domain::accounts::CurrentUser,
    volunteer_id: Id,
) -> Result<Option<OfficeRecord>, AppError> {
    if !user.sees_all_contacts() {
        return Ok(None);
    }
    let account = ctx.storage.volunteer_user(volunteer_id).await?;
    let (passkeys, devices) = match account {
        Some(user_id) => (
            ctx.storage.list_passkeys(user_id).await?,
            ctx.storage.list_push_devices(user_id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Some(OfficeRecord {
        history: ctx.storage.volunteer_history(volunteer_id).await?,
        messages: ctx
            .storage
            .list_messages(Some(volunteer_id), None, 50)
            .await?,
        notes: ctx.storage.volunteer_notes(volunteer_id).await?,
        has_account: account.is_some(),
        deactivated_at: ctx.storage.volunteer_deactivated_at(volunteer_id).await?,
        passkeys,
        devices,
        can_edit: user.can_plan(),
        cpr: match user.can_plan() {
            true => Some(crate::civil_register::cpr_section(ctx, volunteer_id).await?),
            false => None,
        },
        payroll_number: match user.can_plan() {
            true => Some(ctx.storage.payroll_number(volunteer_id).await?),
            false => None,
        },
    }))
}

/// The office writes a note about a person; only the office reads them.
#[server(endpoint = "volunteers/add_note")]
pub async fn add_note(volunteer_id: Id, note: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_planner().await?;
        let text = crate::domain::volunteers::parse_note(&note)?;
        ctx.storage.get_volunteer(volunteer_id).await?;
        ctx.storage
            .add_volunteer_note(volunteer_id, user.id, &user.email, &text, ctx.now())
            .await?;
        crate::server::redirect_to(&format!("/volunteers/{volunteer_id}#notes"));
        Ok(())
    })
    .await
}

/// What the person form needs: the record (when editing), the diets and
/// the municipality's name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersonFormData {
    pub volunteer: Option<Volunteer>,
    pub diets: Vec<Diet>,
    pub municipality: String,
    pub home: String,
}

#[server(endpoint = "volunteers/form")]
pub async fn person_form(id: Option<Id>) -> Result<PersonFormData, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let volunteer = match id {
            Some(id) => Some(ctx.storage.get_volunteer(id).await?),
            None => None,
        };
        Ok(PersonFormData {
            volunteer,
            diets: ctx.storage.list_diets().await?,
            municipality: ctx.settings.municipality_name.clone(),
            home: ctx.settings.municipality_code.clone(),
        })
    })
    .await
}

/// Creates a person (empty `id`) or corrects one on their behalf; the audit
/// log keeps what changed, before and after.
#[server(endpoint = "volunteers/save")]
pub async fn save_person(id: String, language: String, form: NewcomerForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::audit::AuditAction;
        use crate::domain::volunteers::Language;
        let (ctx, user) = crate::server::require_planner().await?;
        let id = crate::domain::forms::optional_id("id", &id)?;
        let language = Language::parse(language.trim())
            .ok_or_else(|| AppError::invalid("language", "error.unknown_choice"))?;
        let new = form
            .check(&ctx.settings.municipality_code, language, ctx.today(), None)
            .map_err(|mut problems| problems.remove(0))?;
        let id = match id {
            Some(id) => {
                let before = ctx.storage.get_volunteer(id).await?;
                let mut new = new;
                // Consent is the person's own: the office cannot give it.
                new.consent = None;
                ctx.storage.update_volunteer(id, &new).await?;
                let changes = crate::domain::volunteers::changed_fields(&before, &new);
                if !changes.is_empty() {
                    crate::server::audit(
                        &ctx,
                        Some(&user),
                        AuditAction::VolunteerEdited,
                        &format!("volunteer {id}"),
                        &changes.join("; "),
                    )
                    .await;
                }
                id
            }
            None => {
                let id = ctx.storage.create_volunteer(&new).await?;
                crate::server::audit(
                    &ctx,
                    Some(&user),
                    AuditAction::VolunteerCreated,
                    &format!("volunteer {id}"),
                    new.email.as_str(),
                )
                .await;
                id
            }
        };
        crate::server::redirect_to(&format!("/volunteers/{id}"));
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

/// The office's sections of a person's page.
#[component]
pub fn OfficeSections(volunteer_id: Id, record: OfficeRecord) -> impl IntoView {
    let r = record;
    let deactivated = r.deactivated_at.is_some();
    view! {
        {r.deactivated_at.map(|at| view! {
            <p class="alert alert-info" role="status" data-testid="deactivated">
                {t_with("records.deactivated_since", &[("at", &date_time_at(at))])}
            </p>
        })}
        {r.can_edit.then(|| view! {
            <p class="toolbar">
                <a class="btn btn-secondary" href=format!("/volunteers/{volunteer_id}/edit")>{t("records.edit")}</a>
                <a class="btn btn-secondary" href=format!("/volunteers/{volunteer_id}/merge")>{t("merge.title")}</a>
                <crate::removals::RemovalLinks volunteer_id=volunteer_id deactivated=deactivated/>
            </p>
        })}
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">{t("records.history")}</h2>
            {if r.history.is_empty() {
                view! { <p class="muted">{t("records.no_history")}</p> }.into_any()
            } else {
                view! {
                    <ul class="shift-list">
                        {r.history.iter().map(|h| view! {
                            <li>
                                <span class="shift-when">{date_time_at(h.at)}</span>
                                " · " {t(&format!("records.event.{}", h.event))}
                                " · " {short_date(h.day)} " " {h.station.clone()} " · " {h.task_type.clone()}
                                {(!h.reason.is_empty()).then(|| view! { <span class="muted">" – " {h.reason.clone()}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="messages-heading">
            <h2 id="messages-heading">{t("records.messages")}</h2>
            {if r.messages.is_empty() {
                view! { <p class="muted">{t("records.no_messages")}</p> }.into_any()
            } else {
                view! {
                    <ul class="shift-list">
                        {r.messages.iter().map(|m| view! {
                            <li>
                                <span class="shift-when">{date_time_at(m.created_at)}</span>
                                " · " {t(&format!("messages.kind.{}", m.kind.as_str()))}
                                " · " <span class=format!("badge badge-msg-{}", m.status)>{t(&format!("messages.status.{}", m.status))}</span>
                                {m.channel.map(|c| view! { " · " {t(&format!("channel.{}", c.as_str()))} })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="signin-heading">
            <h2 id="signin-heading">{t("records.sign_in")}</h2>
            <p>{t(if r.has_account { "records.has_account" } else { "records.no_account" })}</p>
            {(!r.passkeys.is_empty()).then(|| view! {
                <h3>{t("records.passkeys")}</h3>
                <ul>{r.passkeys.iter().map(|p| view! {
                    <li>{p.name.clone()} <span class="muted">" · " {t_with("records.since", &[("when", &date_time_at(p.created_at))])}</span></li>
                }).collect_view()}</ul>
            })}
            {(!r.devices.is_empty()).then(|| view! {
                <h3>{t("records.devices")}</h3>
                <ul>{r.devices.iter().map(|d| view! {
                    <li>{d.name.clone()} <span class="muted">" · " {t_with("records.since", &[("when", &date_time_at(d.created_at))])}</span></li>
                }).collect_view()}</ul>
            })}
        </section>
        // Type-erased: the page's view type is deep enough already (a debug
        // build's request handler has little stack to spare).
        {r.cpr.map(|section| view! {
            <crate::civil_register::CprCard volunteer_id section can_edit=r.can_edit/>
        }.into_any())}
        {r.payroll_number.map(|number| view! {
            <crate::payroll::PayrollCard volunteer_id number/>
        }.into_any())}
        <Notes volunteer_id notes=r.notes can_write=r.can_edit/>
    }
}

#[component]
fn Notes(volunteer_id: Id, notes: Vec<Note>, can_write: bool) -> impl IntoView {
    view! {
        <section class="card" id="notes" aria-labelledby="notes-heading">
            <h2 id="notes-heading">{t("records.notes")}</h2>
            <p class="hint">{t("records.notes_hint")}</p>
            {if notes.is_empty() {
                view! { <p class="muted">{t("records.no_notes")}</p> }.into_any()
            } else {
                view! {
                    <ul class="notes">
                        {notes.into_iter().map(|n| view! {
                            <li>
                                <p>{n.text.clone()}</p>
                                <p class="muted">{n.author.clone()} " · " {date_time_at(n.created_at)}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            // A plain form post: the page comes back with the note on it.
            {can_write.then(|| view! {
                <form method="post" action=AddNote::url()>
                    <input type="hidden" name="volunteer_id" value=volunteer_id.to_string()/>
                    <div class="form">
                        <crate::components::TextArea name="note" label="records.new_note"/>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-secondary">{t("records.add_note")}</button>
                    </div>
                </form>
            })}
        </section>
    }
}

/// `/volunteers/new` and `/volunteers/:id/edit`.
#[component]
pub fn PersonFormPage() -> impl IntoView {
    let id = crate::components::route_id("id");
    let data = Resource::new(id, person_form);
    view! {
        <Loaded resource=data view=move |d: PersonFormData| view! { <PersonFormView data=d/> }/>
    }
}

#[component]
fn PersonFormView(data: PersonFormData) -> impl IntoView {
    let v = data.volunteer.clone();
    let title = match &v {
        Some(v) => t_with("records.edit_title", &[("name", &v.name)]),
        None => t("records.new_title"),
    };
    let get = {
        let v = v.clone();
        move |f: fn(&Volunteer) -> String| v.as_ref().map(f).unwrap_or_default()
    };
    let resident = v.as_ref().map(|v| v.municipality_code == data.home);
    let guardianship = v.as_ref().map(|v| v.under_guardianship);
    let citizenship = v.as_ref().map(|v| v.citizenship);
    let language = v.as_ref().map(|v| v.language.as_str()).unwrap_or("da");
    let diet_ids = v.as_ref().map(|v| v.diet_ids.clone()).unwrap_or_default();
    let yes_no = move |name: &'static str, legend: String, chosen: Option<bool>| {
        let base = name.replace(['[', ']'], "-").trim_matches('-').to_string();
        view! {
            <fieldset class="choice-group">
                <legend>{legend}</legend>
                {[("yes", true), ("no", false)].into_iter().map(|(value, b)| {
                    let id = format!("{base}-{value}");
                    view! {
                        <div class="field-inline">
                            <input type="radio" id=id.clone() name=name value=value required=true checked=chosen == Some(b)/>
                            <label for=id>{t(&format!("common.{value}"))}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
        }
    };
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <form class="form card" method="post" action=SavePerson::url()>
            <input type="hidden" name="id" value=v.as_ref().map(|v| v.id.to_string()).unwrap_or_default()/>
            <div class="form-grid">
                <Field name="form[name]" label="field.name" value=get(|v| v.name.clone()) required=true autocomplete="off"/>
                <Field name="form[email]" label="field.email" kind="email" value=get(|v| v.email.clone()) required=true autocomplete="off"/>
                <Field name="form[phone]" label="field.phone" kind="tel" value=get(|v| v.phone.clone()) required=true autocomplete="off"/>
                <Field name="form[birth_date]" label="field.birth_date" kind="date" value=get(|v| v.birth_date.to_string()) required=true autocomplete="off"/>
                <Field name="form[address]" label="field.address" value=get(|v| v.address.clone()) required=true autocomplete="off"/>
                <Field name="form[postal_code]" label="field.postal_code" value=get(|v| v.postal_code.clone()) required=true autocomplete="off"/>
                <Field name="form[city]" label="field.city" value=get(|v| v.city.clone()) required=true autocomplete="off"/>
                <div class="field">
                    <label for="person-language">{t("field.language")}</label>
                    <select id="person-language" name="language">
                        <option value="da" selected=language == "da">"Dansk"</option>
                        <option value="en" selected=language == "en">"English"</option>
                    </select>
                </div>
            </div>
            {yes_no("form[resident]", t_with("records.resident", &[("municipality", &data.municipality)]), resident)}
            <fieldset class="choice-group">
                <legend>{t("field.citizenship")}</legend>
                {crate::domain::volunteers::Citizenship::ALL.into_iter().map(|c| {
                    let id = format!("person-citizenship-{}", c.as_str());
                    view! {
                        <div class="field-inline">
                            <input type="radio" id=id.clone() name="form[citizenship]" value=c.as_str() required=true checked=citizenship == Some(c)/>
                            <label for=id>{t(&format!("citizenship.{}", c.as_str()))}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            {yes_no("form[guardianship]", t("newcomer.guardianship"), guardianship)}
            {(!data.diets.is_empty()).then(|| view! {
                <fieldset class="choice-group">
                    <legend>{t("profile.diets")}</legend>
                    {data.diets.iter().map(|d| {
                        let id = format!("person-diet-{}", d.id);
                        view! {
                            <div class="field-inline">
                                <input type="checkbox" id=id.clone() name="form[diets][]" value=d.id.to_string() checked=diet_ids.contains(&d.id)/>
                                <label for=id>{d.name.clone()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
            </div>
        </form>
    }
}

// ---------------------------------------------------------------- merging

/// Two records of one person, and what merging them would do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MergePlan {
    pub kept: Volunteer,
    pub duplicate: Volunteer,
    pub counts: crate::domain::merge::MergeCounts,
    pub conflicts: Vec<crate::domain::merge::MergeConflict>,
}

/// What merging `other` (an email address or a record's number) into
/// `kept` would move, and what clashes.
#[server(endpoint = "volunteers/merge_preview")]
pub async fn merge_preview(kept: Id, other: String) -> Result<MergePlan, AppError> {
    crate::server::guarded(async move {
        use crate::domain::accounts::Role;
        use crate::domain::merge::{overlapping_seats, MergeConflict};
        let (ctx, _) = crate::server::require_planner().await?;
        let other = other.trim();
        let duplicate_id = match other.parse::<Id>() {
            Ok(id) => id,
            Err(_) => {
                let email = crate::domain::volunteers::EmailAddress::parse("other", other)?;
                ctx.storage
                    .find_volunteer_by_email(email.as_str())
                    .await?
                    .ok_or_else(|| AppError::invalid("other", "merge.not_found"))?
            }
        };
        if duplicate_id == kept {
            return Err(AppError::invalid("other", "merge.same"));
        }
        let kept_record = ctx.storage.get_volunteer(kept).await?;
        let duplicate = ctx
            .storage
            .get_volunteer(duplicate_id)
            .await
            .map_err(|_| AppError::invalid("other", "merge.not_found"))?;
        let mut conflicts: Vec<MergeConflict> = overlapping_seats(
            &ctx.storage.volunteer_shifts(kept).await?,
            &ctx.storage.volunteer_shifts(duplicate_id).await?,
        )
        .into_iter()
        .map(|(kept, duplicate)| MergeConflict::OverlappingShifts { kept, duplicate })
        .collect();
        let roles = ctx.storage.volunteer_roles(duplicate_id).await?;
        if roles.iter().any(|r| *r != Role::Volunteer) {
            conflicts.push(MergeConflict::StaffAccount);
        }
        if !roles.is_empty() && ctx.storage.volunteer_user(kept).await?.is_some() {
            conflicts.push(MergeConflict::BothAccounts);
        }
        if !duplicate.email.eq_ignore_ascii_case(&kept_record.email) {
            conflicts.push(MergeConflict::OtherEmail(duplicate.email.clone()));
        }
        Ok(MergePlan {
            counts: ctx.storage.merge_counts(duplicate_id).await?,
            kept: kept_record,
            duplicate,
            conflicts,
        })
    })
    .await
}

/// Merges the duplicate into `kept`; audited.
#[server(endpoint = "volunteers/merge")]
pub async fn merge_volunteers(kept: Id, duplicate: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_planner().await?;
        let gone = ctx.storage.get_volunteer(duplicate).await?;
        ctx.storage.merge_volunteers(kept, duplicate).await?;
        crate::server::audit(
            &ctx,
            Some(&user),
            crate::domain::audit::AuditAction::VolunteersMerged,
            &format!("volunteer {kept}"),
            &format!(
                "volunteer {duplicate} ({}, {}) merged into it",
                gone.name, gone.email
            ),
        )
        .await;
        crate::server::redirect_to(&format!("/volunteers/{kept}"));
        Ok(())
    })
    .await
}

/// `/volunteers/:id/merge?other=…`: find the duplicate, see what moves and
/// what clashes, then merge.
#[component]
pub fn MergePage() -> impl IntoView {
    let id = crate::components::route_id("id");
    let query = leptos_router::hooks::use_query_map();
    let other = move || query.read().get("other").unwrap_or_default();
    let preview = Resource::new(
        move || (id(), other()),
        |(id, other)| async move {
            match (id, other.trim().is_empty()) {
                (Some(id), false) => merge_preview(id, other).await.map(Some),
                (Some(_), true) => Ok(None),
                (None, _) => Err(AppError::NotFound),
            }
        },
    );
    let title = t("merge.title");
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p>{t("merge.intro")}</p>
        <form method="get" class="form card">
            <div class="field">
                <label for="merge-other">{t("field.other")}</label>
                <input id="merge-other" name="other" type="text" value=other() required=true
                    aria-describedby="merge-other-hint" autocomplete="off"/>
                <p class="hint" id="merge-other-hint">{t("merge.other_hint")}</p>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-secondary">{t("merge.find")}</button>
            </div>
        </form>
        <Loaded resource=preview view={move |p: Option<MergePlan>| p.map(|p| view! { <MergePreviewView preview=p/> })}/>
    }
}

#[component]
fn MergePreviewView(preview: MergePlan) -> impl IntoView {
    use crate::domain::merge::MergeConflict;
    let p = preview;
    let blocked = p.conflicts.iter().any(|c| c.blocks());
    let person = |v: &Volunteer| {
        view! {
            <p><strong>{v.name.clone()}</strong></p>
            <p>{v.email.clone()} " · " {v.phone.clone()}</p>
            <p>{v.address_for_others(&|key| t(key))}</p>
            <p>{t_with("volunteers.born", &[("date", &short_date(v.birth_date))])}</p>
        }
    };
    let c = &p.counts;
    view! {
        <div class="form-grid">
            <section class="card" aria-labelledby="merge-kept">
                <h2 id="merge-kept">{t("merge.kept")}</h2>
                {person(&p.kept)}
            </section>
            <section class="card" aria-labelledby="merge-duplicate">
                <h2 id="merge-duplicate">{t("merge.duplicate")}</h2>
                {person(&p.duplicate)}
            </section>
        </div>
        <section class="card" aria-labelledby="merge-moves">
            <h2 id="merge-moves">{t("merge.moves")}</h2>
            <ul>
                <li>{t_with("merge.count_seats", &[("n", &c.seats.to_string())])}</li>
                <li>{t_with("merge.count_history", &[("n", &c.history.to_string())])}</li>
                <li>{t_with("merge.count_teams", &[("n", &c.teams.to_string())])}</li>
                <li>{t_with("merge.count_messages", &[("n", &c.messages.to_string())])}</li>
                <li>{t_with("merge.count_notes", &[("n", &c.notes.to_string())])}</li>
            </ul>
        </section>
        {(!p.conflicts.is_empty()).then(|| view! {
            <section class=if blocked { "alert alert-error" } else { "alert alert-info" } role="status" aria-labelledby="merge-conflicts">
                <h2 id="merge-conflicts">{t("merge.conflicts")}</h2>
                <ul>
                    {p.conflicts.iter().map(|c| view! {
                        <li>{match c {
                            MergeConflict::OverlappingShifts { kept, duplicate } => t_with(
                                "merge.overlap_pair",
                                &[("kept", &kept.to_string()), ("duplicate", &duplicate.to_string())],
                            ),
                            MergeConflict::StaffAccount => t("merge.staff_account"),
                            MergeConflict::BothAccounts => t("merge.both_accounts"),
                            MergeConflict::OtherEmail(email) => t_with("merge.other_email", &[("email", email)]),
                        }}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!blocked).then(|| view! {
            <form method="post" action=MergeVolunteers::url() class="form-actions">
                <input type="hidden" name="kept" value=p.kept.id.to_string()/>
                <input type="hidden" name="duplicate" value=p.duplicate.id.to_string()/>
                <button type="submit" class="btn btn-danger">
                    {t_with("merge.go", &[("name", &p.duplicate.name)])}
                </button>
            </form>
        })}
    }
}
