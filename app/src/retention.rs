//! Keeping personal data only as long as allowed: the administrator sees
//! the policy, what its next run will remove (a dry run, per kind and
//! election), and can run it now. The server runs it every night too.

use crate::components::Loaded;
use crate::domain::retention::{RetentionItem, RetentionPolicy};
use crate::domain::AppError;
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The policy and what a run would remove now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionOverview {
    pub policy: RetentionPolicy,
    pub next_run: Vec<RetentionItem>,
}

#[server(endpoint = "retention/plan")]
pub async fn retention_plan() -> Result<RetentionOverview, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_administrator().await?;
        let policy = ctx.settings.retention;
        let today = ctx.today();
        let next_run = ctx
            .storage
            .retention_plan(&policy.cutoffs(today, ctx.now()), today)
            .await?;
        Ok(RetentionOverview { policy, next_run })
    })
    .await
}

/// Runs the policy now; returns what went.
#[server(endpoint = "retention/run")]
pub async fn run_retention_now() -> Result<Vec<RetentionItem>, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_administrator().await?;
        let entry = crate::server::audit_entry(
            Some(&user),
            crate::domain::audit::AuditAction::RetentionRun,
            "",
            "",
        );
        let done = run_policy(
            ctx.storage.as_ref(),
            ctx.settings.retention,
            ctx.now(),
            entry,
        )
        .await?;
        // The page shows what went (a form post without wasm).
        crate::server::redirect_back(&[("removed", &crate::domain::retention::summary(&done))]);
        Ok(done)
    })
    .await
}

/// One run of the policy at `now`, audited with `entry` (its detail is
/// filled with what went). The nightly job and "run now" both come here.
#[cfg(feature = "ssr")]
pub async fn run_policy(
    storage: &dyn crate::server::Storage,
    policy: RetentionPolicy,
    now: i64,
    mut entry: crate::domain::audit::AuditEntry,
) -> Result<Vec<RetentionItem>, AppError> {
    let today = crate::i18n::copenhagen_date(now);
    let done = storage
        .apply_retention(&policy.cutoffs(today, now), today, now)
        .await?;
    entry.detail = crate::domain::retention::summary(&done);
    storage.record_audit(&entry, now).await?;
    Ok(done)
}

fn items_table(items: Vec<RetentionItem>, caption: String) -> impl IntoView {
    let label = caption.clone();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="data">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("retention.what")}</th>
                        <th scope="col">{t("retention.election")}</th>
                        <th scope="col" class="num">{t("retention.count")}</th>
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|item| view! {
                        <tr>
                            <td>{t(&item.kind.label_key())}</td>
                            <td>{item.election.map(|(_, title)| title).unwrap_or_else(|| t("retention.all"))}</td>
                            <td class="num">{item.count}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn policy_list(p: RetentionPolicy) -> impl IntoView {
    let n = |n: i64| n.to_string();
    view! {
        <ul class="policy">
            <li>{t_with("retention.rule.sign_in", &[("days", &n(p.sign_in_days))])}</li>
            <li>{t_with("retention.rule.election", &[("days", &n(p.election_days))])}</li>
            <li>{t_with("retention.rule.contact_views", &[("days", &n(p.contact_view_days))])}</li>
            <li>{t_with("retention.rule.audit", &[("months", &p.audit_months.to_string())])}</li>
            <li>{t_with("retention.rule.inactive", &[("years", &p.inactive_years.to_string())])}</li>
            <li>{t_with("retention.rule.payroll", &[("years", &p.payroll_years.to_string())])}</li>
        </ul>
    }
}

#[component]
pub fn RetentionPage() -> impl IntoView {
    let plan = Resource::new(|| (), |_| retention_plan());
    let query = leptos_router::hooks::use_query_map();
    let removed = query
        .read_untracked()
        .get("removed")
        .map(|text| crate::domain::retention::parse_summary(&text));
    view! {
        <Title text=t("retention.title")/>
        <h1>{t("retention.title")}</h1>
        <p>{t("retention.intro")}</p>
        <Loaded resource=plan view=|o: RetentionOverview| view! {
            <section class="card">
                <h2>{t("retention.policy")}</h2>
                {policy_list(o.policy)}
                <p class="muted">{t("retention.configured")}</p>
            </section>
            <section class="card">
                <h2>{t("retention.next_run")}</h2>
                {items_table(o.next_run, t("retention.next_run"))}
            </section>
        }/>
        <section class="card">
            <h2>{t("retention.run_now")}</h2>
            <p>{t("retention.run_explained")}</p>
            {removed.map(|done| view! {
                <div role="status">{items_table(done, t("retention.done"))}</div>
            })}
            <form method="post" action=RunRetentionNow::url()>
                <div class="form-actions">
                    <button type="submit" class="btn btn-danger">{t("retention.run_button")}</button>
                </div>
            </form>
        </section>
    }
}
