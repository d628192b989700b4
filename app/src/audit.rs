//! The audit log, for administrators: who signed in, who failed to, and
//! (as the app grows) every grant, revoke and view of contact data.

use crate::components::Loaded;
use crate::domain::audit::{AuditAction, AuditRecord};
use crate::domain::AppError;
use crate::i18n::{date_time_at, t};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "audit/list")]
pub async fn list_audit_log(action: String, text: String) -> Result<Vec<AuditRecord>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_administrator().await?;
        let action = match action.trim() {
            "" => None,
            raw => Some(
                AuditAction::parse(raw)
                    .ok_or_else(|| AppError::invalid("action", "error.unknown_choice"))?,
            ),
        };
        let text = crate::domain::forms::optional_text("text", &text, 100)?;
        ctx.storage
            .list_audit(action, &text, crate::domain::audit::AUDIT_PAGE)
            .await
    })
    .await
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (
            q.get("action").unwrap_or_default(),
            q.get("text").unwrap_or_default(),
        )
    };
    let records = Resource::new(filter, |(action, text)| list_audit_log(action, text));
    let (action, text) = filter();
    view! {
        <Title text=t("audit.title")/>
        <h1>{t("audit.title")}</h1>
        <form class="form form-grid" method="get" action="/admin/audit">
            <div class="field">
                <label for="audit-action">{t("audit.action")}</label>
                <select id="audit-action" name="action">
                    <option value="" selected=action.is_empty()>{t("audit.all_actions")}</option>
                    {AuditAction::ALL.into_iter().map(|a| {
                        let selected = a.as_str() == action;
                        view! { <option value=a.as_str() selected=selected>{t(&format!("audit.action.{}", a.as_str()))}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-text">{t("audit.search")}</label>
                <input id="audit-text" name="text" type="search" value=text/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("audit.filter")}</button>
            </div>
        </form>
        <Loaded resource=records view={|list: Vec<AuditRecord>| {
            if list.is_empty() {
                return view! { <p class="empty">{t("audit.none")}</p> }.into_any();
            }
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                    <table class="data">
                        <thead>
                            <tr>
                                <th scope="col">{t("audit.when")}</th>
                                <th scope="col">{t("audit.who")}</th>
                                <th scope="col">{t("audit.action")}</th>
                                <th scope="col">{t("audit.what")}</th>
                                <th scope="col">{t("audit.where")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|r| view! {
                                <tr>
                                    <td>{date_time_at(r.at)}</td>
                                    <td>{r.actor.clone()}</td>
                                    <td>{t(&format!("audit.action.{}", r.action))}</td>
                                    <td>{r.subject.clone()}</td>
                                    <td>{r.ip.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}/>
    }
}
