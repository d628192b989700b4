//! Deactivating, activating and deleting people, one or many at once
//! (`/volunteers/remove?id=…&action=…`): a preview of what each person
//! loses and what stays for payroll, then one confirmation. Deleting uses
//! the same rule as a volunteer deleting themselves: anyone with a past
//! accepted (paid) shift is anonymised, anyone else erased.

use crate::components::Loaded;
use crate::domain::removals::{RemovalAction, RemovalPreview};
use crate::domain::{AppError, Id};
use crate::i18n::{short_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// What the chosen action would do to each chosen person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemovalPlan {
    pub action: RemovalAction,
    /// The ids as the confirm form carries them.
    pub ids: String,
    pub people: Vec<RemovalPreview>,
}

impl RemovalPlan {
    /// Someone in it cannot be part of it: nothing may be done until they
    /// are taken out of the choice.
    pub fn blocked(&self) -> bool {
        self.people.iter().any(|p| p.blocked.is_some())
    }
}

#[cfg(feature = "ssr")]
async fn plan(
    ctx: &crate::server::ServerContext,
    ids: &str,
    action: &str,
) -> Result<RemovalPlan, AppError> {
    let action = RemovalAction::parse(action)?;
    let ids = crate::domain::removals::parse_ids([ids])?;
    let today = ctx.today();
    let mut people = Vec::with_capacity(ids.len());
    for id in &ids {
        let volunteer = ctx.storage.get_volunteer(*id).await?;
        people.push(crate::domain::removals::preview(
            action,
            *id,
            volunteer.name,
            ctx.storage.volunteer_deactivated_at(*id).await?.is_some(),
            &ctx.storage.volunteer_roles(*id).await?,
            ctx.storage.volunteer_seats(*id).await?,
            today,
        ));
    }
    Ok(RemovalPlan {
        action,
        ids: crate::domain::removals::join_ids(&ids),
        people,
    })
}

#[server(endpoint = "volunteers/removal_preview")]
pub async fn preview_removal(ids: String, action: String) -> Result<RemovalPlan, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        plan(&ctx, &ids, &action).await
    })
    .await
}

/// Does what the preview showed, to every chosen person, or to nobody when
/// one of them cannot be part of it. Each person is one audit line.
#[server(endpoint = "volunteers/remove")]
pub async fn remove_people(ids: String, action: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::audit::AuditAction;
        use crate::domain::removals::DeletionBy;
        let (ctx, user) = crate::server::require_planner().await?;
        let plan = plan(&ctx, &ids, &action).await?;
        if let Some(key) = plan.people.iter().find_map(|p| p.blocked.clone()) {
            return Err(AppError::refused(&key));
        }
        let today = ctx.today();
        let now = ctx.now();
        for person in &plan.people {
            let id = person.volunteer_id;
            // The preview's freed seats are the ones that open (none when activating).
            let messages =
                crate::notifications::volunteer_left_messages(&ctx, &person.freed, now).await?;
            let (audit, detail) = match plan.action {
                RemovalAction::Deactivate => {
                    ctx.storage
                        .set_volunteer_deactivated(id, true, today, now, &messages)
                        .await?;
                    (
                        AuditAction::VolunteerDeactivated,
                        format!("{} ({} seats freed)", person.name, person.freed.len()),
                    )
                }
                RemovalAction::Activate => {
                    ctx.storage
                        .set_volunteer_deactivated(id, false, today, now, &[])
                        .await?;
                    (AuditAction::VolunteerActivated, person.name.clone())
                }
                RemovalAction::Delete => {
                    let anonymised = ctx
                        .storage
                        .delete_volunteer_account(id, today, now, &messages, DeletionBy::Office)
                        .await?;
                    // As when they delete themselves: no name or address stays.
                    let outcome = if anonymised { "anonymised" } else { "erased" };
                    (AuditAction::VolunteerDeleted, outcome.to_string())
                }
            };
            crate::server::audit(
                &ctx,
                Some(&user),
                audit,
                &format!("volunteer {id}"),
                &detail,
            )
            .await;
        }
        (ctx.wake_outbox)();
        let back = match (plan.action, plan.people.as_slice()) {
            (RemovalAction::Delete, _) | (_, [_, _, ..]) => crate::domain::forms::with_query(
                "/volunteers",
                &[
                    ("done", plan.action.as_str()),
                    ("n", &plan.people.len().to_string()),
                ],
            ),
            (_, people) => format!(
                "/volunteers/{}",
                people.first().map(|p| p.volunteer_id).unwrap_or_default()
            ),
        };
        crate::server::redirect_to(&back);
        Ok(())
    })
    .await
}

/// `/volunteers/remove?id=…&id=…&action=…` (or `ids=1,2`): the preview and
/// the confirmation.
#[component]
pub fn RemovalPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let chosen = move || {
        let q = query.read();
        let mut parts = q.get_all("id").unwrap_or_default();
        parts.extend(q.get("ids"));
        (parts.join(","), q.get("action").unwrap_or_default())
    };
    let preview = Resource::new(chosen, |(ids, action)| preview_removal(ids, action));
    let title = move || {
        let action = chosen().1;
        match RemovalAction::parse(&action) {
            Ok(a) => t(&format!("removals.title.{}", a.as_str())),
            Err(_) => t("removals.title.delete"),
        }
    };
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Loaded resource=preview view=|p: RemovalPlan| view! { <PlanView plan=p/> }/>
        <p><a href="/volunteers">{t("removals.back")}</a></p>
    }
}

#[component]
fn PlanView(plan: RemovalPlan) -> impl IntoView {
    let action = plan.action;
    let blocked = plan.blocked();
    let anonymised = plan.people.iter().filter(|p| p.anonymised()).count();
    let freed: usize = plan.people.iter().map(|p| p.freed.len()).sum();
    let n = plan.people.len();
    let summary = match action {
        RemovalAction::Delete => t_with(
            "removals.summary.delete",
            &[
                ("n", &n.to_string()),
                ("erased", &(n - anonymised).to_string()),
                ("anonymised", &anonymised.to_string()),
                ("seats", &freed.to_string()),
            ],
        ),
        RemovalAction::Deactivate => t_with(
            "removals.summary.deactivate",
            &[("n", &n.to_string()), ("seats", &freed.to_string())],
        ),
        RemovalAction::Activate => t_with("removals.summary.activate", &[("n", &n.to_string())]),
    };
    view! {
        <p class="lead" data-testid="removal-summary">{summary}</p>
        <p>{t(&format!("removals.explain.{}", action.as_str()))}</p>
        <ul class="removal-list">
            {plan.people.into_iter().map(|p| view! { <PersonPreview person=p action=action/> }).collect_view()}
        </ul>
        {if blocked {
            view! { <p class="alert alert-error" role="alert">{t("removals.blocked")}</p> }.into_any()
        } else {
            view! {
                <form method="post" action=RemovePeople::url() class="form-actions">
                    <input type="hidden" name="ids" value=plan.ids/>
                    <input type="hidden" name="action" value=action.as_str()/>
                    <button type="submit" class=if action == RemovalAction::Activate { "btn btn-primary" } else { "btn btn-danger" }>
                        {t_with(&format!("removals.go.{}", action.as_str()), &[("n", &n.to_string())])}
                    </button>
                </form>
            }.into_any()
        }}
    }
}

#[component]
fn PersonPreview(person: RemovalPreview, action: RemovalAction) -> impl IntoView {
    let p = person;
    let heading = format!("removal-{}", p.volunteer_id);
    let outcome = match action {
        RemovalAction::Delete if p.anonymised() => t_with(
            "removals.outcome.anonymised",
            &[("n", &p.paid_shifts.to_string())],
        ),
        RemovalAction::Delete => t("removals.outcome.erased"),
        RemovalAction::Deactivate => t("removals.outcome.deactivated"),
        RemovalAction::Activate => t("removals.outcome.activated"),
    };
    view! {
        <li class="card">
            <h2 id=heading>
                <a href=format!("/volunteers/{}", p.volunteer_id)>{p.name.clone()}</a>
                {p.deactivated.then(|| view! { " " <span class="badge badge-inactive">{t("register.deactivated")}</span> })}
            </h2>
            <p>{outcome}</p>
            {p.blocked.as_ref().map(|key| view! { <p class="field-error">{t(key)}</p> })}
            {(!p.freed.is_empty()).then(|| view! {
                <p>{t_with("removals.freed", &[("n", &p.freed.len().to_string())])}</p>
                <ul class="shift-list">
                    {p.freed.iter().map(|s| view! {
                        <li>
                            <span class="shift-when">{short_date(s.day)}</span>
                            " · " {s.station_name.clone()} " · " {s.task_type.clone()}
                            " · " {t(&format!("status.{}", s.status.as_str()))}
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// Links to deactivate (or activate) and delete one person, for their page.
#[component]
pub fn RemovalLinks(volunteer_id: Id, deactivated: bool) -> impl IntoView {
    let link = move |action: RemovalAction| {
        crate::domain::forms::with_query(
            "/volunteers/remove",
            &[
                ("id", &volunteer_id.to_string()),
                ("action", action.as_str()),
            ],
        )
    };
    let toggle = if deactivated {
        RemovalAction::Activate
    } else {
        RemovalAction::Deactivate
    };
    view! {
        <a class="btn btn-secondary" href=link(toggle)>{t(&format!("removals.link.{}", toggle.as_str()))}</a>
        <a class="btn btn-secondary" href=link(RemovalAction::Delete)>{t("removals.link.delete")}</a>
    }
}
