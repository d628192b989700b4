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
/// says. A register that cannot be reached changes nothing.
#[cfg(feature = "ssr")]
async fn look_up_and_keep(
    ctx: &crate::server::ServerContext,
    user: &crate::domain::accounts::CurrentUser,
    volunteer_id: Id,
) -> Result<(), AppError> {
    use crate::domain::audit::AuditAction;
    use crate::server::cpr::LookupError;
    let register = ctx
        .cpr
        .clone()
        .ok_or_else(|| AppError::refused("cpr.not_configured"))?;
    let volunteer = ctx.storage.get_volunteer(volunteer_id).await?;
    let (number, _) = ctx
        .storage
        .cpr_record(volunteer_id)
        .await?
        .ok_or_else(|| AppError::refused("cpr.none_stored"))?;
    let now = ctx.now();
    let (outcome, result) = match register.look_up(&number).await {
        Ok(person) => {
            let facts = RegisterFacts::from_person(&person, volunteer.citizenship, now);
            ctx.storage
                .record_cpr_lookup(volunteer_id, &number, Ok(&facts), now)
                .await?;
            ("found", Ok(()))
        }
        Err(LookupError::NotFound) => {
            ctx.storage
                .record_cpr_lookup(volunteer_id, &number, Err("not_found"), now)
                .await?;
            ("not_found", Ok(()))
        }
        Err(LookupError::Refused { code, .. }) => {
            leptos::logging::warn!(
                "the CPR service refused the lookup of volunteer {volunteer_id}: {code}"
            );
            ctx.storage
                .record_cpr_lookup(volunteer_id, &number, Err("refused"), now)
                .await?;
            ("refused", Ok(()))
        }
        Err(LookupError::Unavailable(why)) => {
            leptos::logging::warn!(
                "the CPR service could not be reached for volunteer {volunteer_id}: {why}"
            );
            ("unavailable", Err(AppError::refused("cpr.unavailable")))
        }
    };
    audit_cpr(ctx, user, AuditAction::CprLookedUp, volunteer_id, outcome).await;
    result
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
        let digits = number.digits();
        Ok((volunteer.name, format!("{}-{}", &digits[..6], &digits[6..])))
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
        <Loaded resource=data view=|(id, (name, number)): (Id, (String, String))| view! {
            <Title text=t("cpr.title")/>
            <h1>{t_with("cpr.of", &[("name", &name)])}</h1>
            <p class="card"><strong data-testid="cpr-whole">{number}</strong></p>
            <p class="hint">{t("cpr.shown_logged")}</p>
            <p><a href=format!("/volunteers/{id}#cpr")>{t("cpr.back")}</a></p>
        }/>
    }
}
