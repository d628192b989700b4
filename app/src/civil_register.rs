//! A person's CPR number on the office's page of them: stored, shown
//! masked (whole only on its own page, and audited), looked up in the CPR
//! register, whose facts then decide the person's eligibility.

use crate::components::{route_id, Field, Loaded};
use crate::domain::cpr::{CprRecord, RegisterFacts};
use crate::domain::{AppError, Id};
use crate::i18n::{date_time_at, short_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The CPR part of the office's record of a person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CprSection {
    pub record: Option<CprRecord>,
    /// The municipality has a CPR service configured.
    pub lookups: bool,
}

/// What the office's page shows of a person's CPR number.
#[cfg(feature = "ssr")]
pub async fn cpr_section(
    ctx: &crate::server::ServerContext,
    volunteer_id: Id,
) -> Result<CprSection, AppError> {
    Ok(CprSection {
        record: ctx
            .storage
            .cpr_record(volunteer_id)
            .await?
            .map(|(_, record)| record),
        lookups: ctx.cpr.is_some(),
    })
}

#[cfg(feature = "ssr")]
async fn audit_cpr(
    ctx: &crate::server::ServerContext,
    user: &crate::domain::accounts::CurrentUser,
    action: crate::domain::audit::AuditAction,
    volunteer_id: Id,
    detail: &str,
) {
    crate::server::audit(
        ctx,
        Some(user),
        action,
        &format!("volunteer {volunteer_id}"),
        detail,
    )
    .await;
}

/// The office stores (or replaces) a person's CPR number, and looks them
/// up at once where the municipality has a CPR service.
#[server(endpoint = "cpr/save")]
pub async fn save_cpr(volunteer_id: Id, cpr: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::audit::AuditAction;
        let (ctx, user) = crate::server::require_planner().await?;
        let number = crate::domain::cpr::CprNumber::parse("cpr", &cpr)?;
        ctx.storage.get_volunteer(volunteer_id).await?;
        ctx.storage
            .set_cpr(volunteer_id, &number, ctx.now())
            .await?;
        audit_cpr(
            &ctx,
            &user,
            AuditAction::CprStored,
            volunteer_id,
            &number.masked(),
        )
        .await;
        if ctx.cpr.is_some() {
            look_up_and_keep(&ctx, &user, volunteer_id).await?;
        }
        crate::server::redirect_to(&format!("/volunteers/{volunteer_id}#cpr"));
        Ok(())
    })
    .await
}

#[server(endpoint = "cpr/remove")]
pub async fn remove_cpr(volunteer_id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_planner().await?;
        ctx.storage.get_volunteer(volunteer_id).await?;
        ctx.storage.remove_cpr(volunteer_id).await?;
        audit_cpr(
            &ctx,
            &user,
            crate::domain::audit::AuditAction::CprRemoved,
            volunteer_id,
            "",
        )
        .await;
        crate::server::redirect_to(&format!("/volunteers/{volunteer_id}#cpr"));
        Ok(())
    })
    .await
}

/// Looks the person up in the CPR register again.
#[server(endpoint = "cpr/look_up")]
pub async fn look_up_cpr(volunteer_id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_planner().await?;
        look_up_and_keep(&ctx, &user, volunteer_id).await?;
        crate::server::redirect_to(&format!("/volunteers/{volunteer_id}#cpr"));
        Ok(())
    })
    .await
}

/// Asks the register about the person's stored number and keeps what it
/// says, for the office on the person's page. A register that cannot be
/// reached changes nothing.
#[cfg(feature = "ssr")]
async fn look_up_and_keep(
    ctx: &crate::server::ServerContext,
    user: &crate::domain::accounts::CurrentUser,
    volunteer_id: Id,
) -> Result<(), AppError> {
    let register = ctx
        .cpr
        .clone()
        .ok_or_else(|| AppError::refused("cpr.not_configured"))?;
    let looked = look_up_person(
        ctx.storage.as_ref(),
        register.as_ref(),
        &ctx.settings.municipality_code,
        volunteer_id,
        ctx.now(),
    )
    .await?;
    audit_cpr(
        ctx,
        user,
        crate::domain::audit::AuditAction::CprLookedUp,
        volunteer_id,
        looked.as_str(),
    )
    .await;
    match looked {
        Looked::Unavailable => Err(AppError::refused("cpr.unavailable")),
        _ => Ok(()),
    }
}

/// What one lookup came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Looked {
    Found,
    NotFound,
    Refused,
    /// No answer: nothing was kept.
    Unavailable,
}

impl Looked {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::NotFound => "not_found",
            Self::Refused => "refused",
            Self::Unavailable => "unavailable",
        }
    }
}

/// Looks the person up by their stored number, keeps what the register
/// says, and flags the coming seats it says they may no longer hold (in
/// `home`, the municipality's code). The office's lookups and the
/// scheduled re-check both come here.
#[cfg(feature = "ssr")]
pub async fn look_up_person(
    storage: &dyn crate::server::Storage,
    register: &dyn crate::server::cpr::PersonRegister,
    home: &str,
    volunteer_id: Id,
    now: i64,
) -> Result<Looked, AppError> {
    use crate::server::cpr::LookupError;
    let volunteer = storage.get_volunteer(volunteer_id).await?;
    let (number, _) = storage
        .cpr_record(volunteer_id)
        .await?
        .ok_or_else(|| AppError::refused("cpr.none_stored"))?;
    let looked = match register.look_up(&number).await {
        Ok(person) => {
            let facts = RegisterFacts::from_person(&person, volunteer.citizenship, now);
            storage
                .record_cpr_lookup(volunteer_id, &number, Ok(&facts), now)
                .await?;
            Looked::Found
        }
        Err(LookupError::NotFound) => {
            storage
                .record_cpr_lookup(volunteer_id, &number, Err("not_found"), now)
                .await?;
            Looked::NotFound
        }
        Err(LookupError::Refused { code, .. }) => {
            leptos::logging::warn!(
                "the CPR service refused the lookup of volunteer {volunteer_id}: {code}"
            );
            storage
                .record_cpr_lookup(volunteer_id, &number, Err("refused"), now)
                .await?;
            Looked::Refused
        }
        Err(LookupError::Unavailable(why)) => {
            leptos::logging::warn!(
                "the CPR service could not be reached for volunteer {volunteer_id}: {why}"
            );
            Looked::Unavailable
        }
    };
    if looked != Looked::Unavailable {
        flag_seats(storage, home, volunteer_id, now).await?;
    }
    Ok(looked)
}

/// Flags the person's coming seats that what is on record now makes them
/// ineligible for, and clears the rest.
#[cfg(feature = "ssr")]
pub async fn flag_seats(
    storage: &dyn crate::server::Storage,
    home: &str,
    volunteer_id: Id,
    now: i64,
) -> Result<(), AppError> {
    let volunteer = storage.get_volunteer(volunteer_id).await?;
    let today = crate::i18n::copenhagen_date(now);
    let mut flags = Vec::new();
    // Only the register's word flags a seat: a declaration was checked
    // when the seat was taken.
    if volunteer.register.is_some() {
        let facts = volunteer.eligibility_facts();
        for seat in storage.volunteer_seats(volunteer_id).await? {
            if seat.day < today {
                continue;
            }
            let rules =
                crate::shifts::eligibility_rules(storage, seat.election_id, seat.task_type_id)
                    .await?;
            let Some(rules) = rules else {
                continue;
            };
            if let Err(reason) =
                crate::domain::volunteers::check_eligibility(&rules, &facts, seat.day, home)
            {
                flags.push((seat.seat_id, reason.key().to_string()));
            }
        }
    }
    storage
        .set_eligibility_flags(volunteer_id, &flags, now)
        .await
}

/// What a scheduled re-check did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recheck {
    pub looked_up: usize,
    pub not_found: usize,
    pub refused: usize,
    /// The register stopped answering: the rest wait for the next run.
    pub stopped: bool,
}

/// Re-looks-up at most `batch` people who hold a coming seat in an active
/// election and were last looked up `every_days` ago or more, or, on the
/// day before an active election's first day of work, before today. Each
/// lookup is kept as it is made, so a run cut short (a restart, the
/// register gone) is taken up where it stopped by the next.
#[cfg(feature = "ssr")]
pub async fn recheck(
    storage: &dyn crate::server::Storage,
    register: &dyn crate::server::cpr::PersonRegister,
    home: &str,
    now: i64,
    every_days: i64,
    batch: i64,
) -> Result<Recheck, AppError> {
    let today = crate::i18n::copenhagen_date(now);
    let mut looked_up_before = now - every_days * 86_400;
    let eve = storage
        .list_elections()
        .await?
        .iter()
        .any(|e| e.active && e.first_day == today + chrono::Duration::days(1));
    if eve {
        let midnight = crate::i18n::copenhagen_to_unix(today, chrono::NaiveTime::MIN);
        looked_up_before = looked_up_before.max(midnight);
    }
    let mut run = Recheck::default();
    for volunteer_id in storage.cpr_due(today, looked_up_before, batch).await? {
        let looked = look_up_person(storage, register, home, volunteer_id, now).await?;
        let entry = crate::domain::audit::AuditEntry {
            actor_user_id: None,
            actor: "CPR re-check".into(),
            action: crate::domain::audit::AuditAction::CprLookedUp,
            subject: format!("volunteer {volunteer_id}"),
            detail: looked.as_str().into(),
            ip: String::new(),
        };
        storage.record_audit(&entry, now).await?;
        match looked {
            Looked::Found => run.looked_up += 1,
            Looked::NotFound => run.not_found += 1,
            Looked::Refused => run.refused += 1,
            Looked::Unavailable => {
                run.stopped = true;
                break;
            }
        }
    }
    Ok(run)
}

/// The whole number, for the office (every showing audited).
#[server(endpoint = "cpr/show")]
pub async fn show_cpr(volunteer_id: Id) -> Result<(String, String), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_planner().await?;
        let volunteer = ctx.storage.get_volunteer(volunteer_id).await?;
        let (number, _) = ctx
            .storage
            .cpr_record(volunteer_id)
            .await?
            .ok_or(AppError::NotFound)?;
        audit_cpr(
            &ctx,
            &user,
            crate::domain::audit::AuditAction::CprViewed,
            volunteer_id,
            &number.masked(),
        )
        .await;
        Ok((volunteer.name, number.dashed()))
    })
    .await
}

// ---------------------------------------------------------------- pages

/// The CPR card on the office's page of a person.
#[component]
pub fn CprCard(volunteer_id: Id, section: CprSection, can_edit: bool) -> impl IntoView {
    let record = section.record;
    let stored = record.is_some();
    view! {
        <section class="card" id="cpr" aria-labelledby="cpr-heading">
            <h2 id="cpr-heading">{t("cpr.title")}</h2>
            {match record.clone() {
                None => view! { <p class="muted">{t("cpr.none")}</p> }.into_any(),
                Some(r) => view! {
                    <p>
                        <span data-testid="cpr-masked">{r.masked.clone()}</span>
                        " · " <a href=format!("/volunteers/{volunteer_id}/cpr")>{t("cpr.show")}</a>
                    </p>
                    <LookupResult record=r/>
                }.into_any(),
            }}
            {(!section.lookups).then(|| view! { <p class="hint">{t("cpr.no_service")}</p> })}
            {can_edit.then(|| view! {
                <form class="form" method="post" action=SaveCpr::url()>
                    <input type="hidden" name="volunteer_id" value=volunteer_id.to_string()/>
                    <Field name="cpr" label=if stored { "cpr.replace" } else { "cpr.store" } autocomplete="off"/>
                    <div class="form-actions">
                        <button type="submit" class="btn btn-secondary">{t("common.save")}</button>
                    </div>
                </form>
                {(stored && section.lookups).then(|| view! {
                    <form method="post" action=LookUpCpr::url()>
                        <input type="hidden" name="volunteer_id" value=volunteer_id.to_string()/>
                        <button type="submit" class="btn btn-primary">{t("cpr.look_up")}</button>
                    </form>
                })}
                {stored.then(|| view! {
                    <form method="post" action=RemoveCpr::url()>
                        <input type="hidden" name="volunteer_id" value=volunteer_id.to_string()/>
                        <button type="submit" class="btn btn-secondary">{t("cpr.remove")}</button>
                    </form>
                })}
            })}
        </section>
    }
    .into_any()
}

/// What the last lookup found.
#[component]
fn LookupResult(record: CprRecord) -> impl IntoView {
    let yes_no = |b: bool| t(if b { "common.yes" } else { "common.no" });
    match (record.looked_up_at, record.facts, record.failure) {
        (None, ..) => view! { <p class="muted">{t("cpr.not_looked_up")}</p> }.into_any(),
        (Some(at), Some(f), _) => view! {
            <p>{t_with("cpr.looked_up", &[("at", &date_time_at(at))])}</p>
            <dl class="details" data-testid="cpr-facts">
                <dt>{t("field.name")}</dt><dd>{f.name.clone()}</dd>
                <dt>{t("field.birth_date")}</dt><dd>{f.birth_date.map(short_date).unwrap_or_default()}</dd>
                <dt>{t("cpr.standing")}</dt><dd>{t(&format!("cpr.standing.{}", standing_key(&f)))}</dd>
                <dt>{t("cpr.municipality")}</dt><dd>{f.municipality_code.clone().unwrap_or_else(|| t("cpr.no_address"))}</dd>
                <dt>{t("field.citizenship")}</dt><dd>{t(&format!("citizenship.{}", f.citizenship.as_str()))}</dd>
                <dt>{t("field.guardianship")}</dt><dd>{yes_no(f.under_guardianship)}</dd>
                <dt>{t("cpr.address_protected")}</dt><dd>{yes_no(f.address_protected)}</dd>
                <dt>{t("cpr.digital_post")}</dt><dd>{yes_no(f.digital_post)}</dd>
            </dl>
        }.into_any(),
        (Some(at), None, failure) => view! {
            <p class="alert alert-info" role="status">
                {t_with(
                    &format!("cpr.failure.{}", failure.as_deref().unwrap_or("not_found")),
                    &[("at", &date_time_at(at))],
                )}
            </p>
        }.into_any(),
    }
}

fn standing_key(facts: &RegisterFacts) -> &'static str {
    use crate::domain::cpr::Standing;
    match facts.standing() {
        Standing::Resident => "resident",
        Standing::NotResident => "not_resident",
        Standing::Missing => "missing",
        Standing::Emigrated => "emigrated",
        Standing::Dead => "dead",
    }
}

/// `/volunteers/:id/cpr`: the whole number, shown on its own page so that
/// every showing is a request of its own in the audit log.
#[component]
pub fn CprPage() -> impl IntoView {
    let id = route_id("id");
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => show_cpr(id).await.map(|shown| (id, shown)),
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Loaded resource=data error_title="cpr.title" view=|(id, (name, number)): (Id, (String, String))| view! {
            <Title text=t("cpr.title")/>
            <h1>{t_with("cpr.of", &[("name", &name)])}</h1>
            <p class="card"><strong data-testid="cpr-whole">{number}</strong></p>
            <p class="hint">{t("cpr.shown_logged")}</p>
            <p><a href=format!("/volunteers/{id}#cpr")>{t("cpr.back")}</a></p>
        }/>
    }
}
