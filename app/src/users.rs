//! Users and roles, for administrators: invite by email, grant and revoke
//! roles, deactivate (sessions end at once). Every change is audited.

use crate::components::{Field, Loaded};
use crate::domain::accounts::{Role, ScopeKind, UserSummary};
#[cfg(feature = "ssr")]
use crate::domain::audit::AuditAction;
use crate::domain::{AppError, Id};
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<Role, AppError> {
    Role::parse(raw.trim()).ok_or_else(|| AppError::invalid("role", "error.unknown_choice"))
}

#[server(endpoint = "users/list")]
pub async fn list_users(text: String) -> Result<Vec<UserSummary>, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_administrator().await?;
        let text = crate::domain::forms::optional_text("text", &text, 100)?;
        ctx.storage.list_users(&text).await
    })
    .await
}

/// Creates the user with a role (or adds the role) and mails a sign-in link.
#[server(endpoint = "users/invite")]
pub async fn invite_user(email: String, name: String, role: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, admin) = crate::server::require_administrator().await?;
        let email = crate::domain::volunteers::EmailAddress::parse("email", &email)?;
        let name = crate::domain::forms::required_text("name", &name)?;
        let role = parse_role(&role)?;
        let user_id = ctx
            .storage
            .ensure_user_with_role(email.as_str(), &name, role)
            .await?;
        // A volunteer the office already knows gets their own record.
        if let Some(volunteer) = ctx.storage.find_volunteer_by_email(email.as_str()).await? {
            ctx.storage.link_volunteer(user_id, volunteer).await?;
        }
        crate::auth::send_sign_in_link(
            &ctx,
            user_id,
            &name,
            email.as_str(),
            "mail.invite_text",
            None,
        )
        .await?;
        crate::server::audit(
            &ctx,
            Some(&admin),
            AuditAction::UserInvited,
            email.as_str(),
            role.as_str(),
        )
        .await;
        crate::server::redirect_back(&[("invited", "1")]);
        Ok(())
    })
    .await
}

#[server(endpoint = "users/grant")]
pub async fn grant_role(user_id: Id, role: String) -> Result<(), AppError> {
    change_role(user_id, role, true).await
}

#[server(endpoint = "users/revoke")]
pub async fn revoke_role(user_id: Id, role: String) -> Result<(), AppError> {
    change_role(user_id, role, false).await
}

/// Grants or revokes one role, audits it, and goes back to the list.
#[cfg(feature = "ssr")]
async fn change_role(user_id: Id, role: String, grant: bool) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, admin) = crate::server::require_administrator().await?;
        let role = parse_role(&role)?;
        let action = if grant {
            ctx.storage.grant_role(user_id, role).await?;
            AuditAction::RoleGranted
        } else {
            ctx.storage.revoke_role(user_id, role).await?;
            AuditAction::RoleRevoked
        };
        crate::server::audit(
            &ctx,
            Some(&admin),
            action,
            &user_id.to_string(),
            role.as_str(),
        )
        .await;
        crate::server::redirect_to("/admin/users");
        Ok(())
    })
    .await
}

#[server(endpoint = "users/active")]
pub async fn set_user_active(user_id: Id, active: bool) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, admin) = crate::server::require_administrator().await?;
        ctx.storage.set_user_active(user_id, active).await?;
        let action = if active {
            AuditAction::UserActivated
        } else {
            AuditAction::UserDeactivated
        };
        crate::server::audit(&ctx, Some(&admin), action, &user_id.to_string(), "").await;
        crate::server::redirect_to("/admin/users");
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
fn parse_scope_kind(raw: &str) -> Result<ScopeKind, AppError> {
    ScopeKind::parse(raw.trim()).ok_or_else(|| AppError::invalid("kind", "error.unknown_choice"))
}

/// The areas, stations and teams an administrator can limit roles to.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScopeChoices {
    pub areas: Vec<(Id, String)>,
    pub stations: Vec<(Id, String)>,
    pub teams: Vec<(Id, String)>,
}

impl ScopeChoices {
    fn of(&self, kind: ScopeKind) -> &[(Id, String)] {
        match kind {
            ScopeKind::Area => &self.areas,
            ScopeKind::Station => &self.stations,
            ScopeKind::Team => &self.teams,
        }
    }
}

#[server(endpoint = "users/scope_choices")]
pub async fn load_scope_choices() -> Result<ScopeChoices, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_administrator().await?;
        Ok(ScopeChoices {
            areas: ctx
                .storage
                .list_areas()
                .await?
                .into_iter()
                .map(|a| (a.id, a.name))
                .collect(),
            stations: ctx
                .storage
                .list_stations()
                .await?
                .into_iter()
                .map(|s| (s.id, s.name))
                .collect(),
            teams: ctx
                .storage
                .list_teams()
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect(),
        })
    })
    .await
}

#[server(endpoint = "users/grant_scope")]
pub async fn grant_scope(user_id: Id, kind: String, target_id: Id) -> Result<(), AppError> {
    change_scope(user_id, kind, target_id, true).await
}

#[server(endpoint = "users/revoke_scope")]
pub async fn revoke_scope(user_id: Id, kind: String, target_id: Id) -> Result<(), AppError> {
    change_scope(user_id, kind, target_id, false).await
}

/// Limits a role to one more area, station or team, or lifts that limit.
#[cfg(feature = "ssr")]
async fn change_scope(
    user_id: Id,
    kind: String,
    target_id: Id,
    grant: bool,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, admin) = crate::server::require_administrator().await?;
        let kind = parse_scope_kind(&kind)?;
        let action = if grant {
            ctx.storage.grant_scope(user_id, kind, target_id).await?;
            AuditAction::ScopeGranted
        } else {
            ctx.storage.revoke_scope(user_id, kind, target_id).await?;
            AuditAction::ScopeRevoked
        };
        crate::server::audit(
            &ctx,
            Some(&admin),
            action,
            &user_id.to_string(),
            &format!("{} {target_id}", kind.as_str()),
        )
        .await;
        crate::server::redirect_to("/admin/users");
        Ok(())
    })
    .await
}

fn role_options() -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), t(&format!("role.{}", r.as_str()))))
        .collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let text = move || query.read().get("text").unwrap_or_default();
    let users = Resource::new(text, list_users);
    let choices = Resource::new(|| (), |_| load_scope_choices());
    let invited = crate::components::query_flag("invited");
    view! {
        <Title text=t("users.title")/>
        <h1>{t("users.title")}</h1>
        <section class="card">
            <h2>{t("users.invite")}</h2>
            <p>{t("users.invite_explained")}</p>
            {invited.then(|| view! {
                <div class="alert alert-success" role="status"><p>{t("users.invited")}</p></div>
            })}
            <form method="post" action=InviteUser::url()>
                <div class="form form-grid">
                    <Field name="name" label="field.name" required=true autocomplete="off"/>
                    <Field name="email" label="field.email" kind="email" required=true autocomplete="off"/>
                    <crate::components::Select name="role" label="field.role" options=role_options() selected="coordinator"/>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary">{t("users.send_invite")}</button>
                </div>
            </form>
        </section>
        <form class="form form-grid" method="get" action="/admin/users">
            <div class="field">
                <label for="user-search">{t("users.search")}</label>
                <input id="user-search" name="text" type="search" value=text()/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-secondary">{t("users.search_button")}</button>
            </div>
        </form>
        <Loaded resource=users view={move |list: Vec<UserSummary>| view! {
            <Loaded resource=choices view={move |choices: ScopeChoices| view! {
                <ul class="user-list">
                    {list.clone().into_iter().map(|u| view! { <UserCard user=u choices=choices.clone()/> }).collect_view()}
                </ul>
            }}/>
        }}/>
    }
}

#[component]
fn UserCard(user: UserSummary, choices: ScopeChoices) -> impl IntoView {
    let id = user.id.to_string();
    let missing: Vec<(String, String)> = role_options()
        .into_iter()
        .filter(|(value, _)| !user.roles.iter().any(|r| r.as_str() == value))
        .collect();
    let select_id = format!("grant-{}", user.id);
    let (toggle_key, toggle_to) = if user.active {
        ("users.deactivate", "false")
    } else {
        ("users.activate", "true")
    };
    view! {
        <li class="card">
            <h2 class="user-name">{user.name.clone()}</h2>
            <p>{user.email.clone()} " "
                {(!user.active).then(|| view! { <span class="badge badge-inactive">{t("users.inactive")}</span> })}
            </p>
            <ul class="role-list" aria-label=t_with("users.roles_of", &[("name", &user.name)])>
                {user.roles.iter().map(|role| {
                    let label = t(&format!("role.{}", role.as_str()));
                    view! {
                        <li>
                            <form method="post" action=RevokeRole::url()>
                                <input type="hidden" name="user_id" value=id.clone()/>
                                <input type="hidden" name="role" value=role.as_str()/>
                                <span class="badge badge-active">{label.clone()}</span>
                                <button type="submit" class="btn btn-secondary btn-small">
                                    {t("users.revoke")}<span class="visually-hidden">" " {label} " – " {user.name.clone()}</span>
                                </button>
                            </form>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {ScopeKind::ALL.into_iter().filter(|k| user.roles.contains(&k.role())).map(|kind| view! {
                <RoleScopes user=user.clone() kind choices=choices.of(kind).to_vec()/>
            }).collect_view()}
            {(!missing.is_empty()).then(|| view! {
                <form class="grant-role" method="post" action=GrantRole::url()>
                    <input type="hidden" name="user_id" value=id.clone()/>
                    <label for=select_id.clone()>{t_with("users.grant_to", &[("name", &user.name)])}</label>
                    <select id=select_id name="role">
                        {missing.into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="btn btn-primary btn-small">{t("users.grant")}</button>
                </form>
            })}
            <form method="post" action=SetUserActive::url()>
                <input type="hidden" name="user_id" value=id.clone()/>
                <input type="hidden" name="active" value=toggle_to/>
                <button type="submit" class="btn btn-secondary btn-small">
                    {t(toggle_key)}<span class="visually-hidden">" " {user.name.clone()}</span>
                </button>
            </form>
        </li>
    }
}

/// The areas, stations or teams one of a user's roles is limited to, each
/// removable, and a picker to add one more.
#[component]
fn RoleScopes(user: UserSummary, kind: ScopeKind, choices: Vec<(Id, String)>) -> impl IntoView {
    let id = user.id.to_string();
    let held: Vec<_> = user
        .scopes
        .iter()
        .filter(|s| s.kind == kind)
        .cloned()
        .collect();
    let addable: Vec<(Id, String)> = choices
        .into_iter()
        .filter(|(c, _)| !held.iter().any(|h| h.id == *c))
        .collect();
    let heading = t_with(
        &format!("users.scope.{}", kind.as_str()),
        &[("name", &user.name)],
    );
    let select_id = format!("scope-{}-{}", kind.as_str(), user.id);
    // A coordinator with no areas plans the whole municipality.
    let nothing_key = if kind == ScopeKind::Area {
        "users.scope.everywhere"
    } else {
        "users.scope.none"
    };
    view! {
        <div class="scope">
            <h3 class="scope-title">{heading.clone()}</h3>
            {if held.is_empty() {
                view! { <p class="muted">{t(nothing_key)}</p> }.into_any()
            } else {
                view! {
                    <ul class="role-list" aria-label=heading>
                        {held.into_iter().map(|scope| view! {
                            <li>
                                <form method="post" action=RevokeScope::url()>
                                    <input type="hidden" name="user_id" value=id.clone()/>
                                    <input type="hidden" name="kind" value=kind.as_str()/>
                                    <input type="hidden" name="target_id" value=scope.id.to_string()/>
                                    <span class="badge">{scope.name.clone()}</span>
                                    <button type="submit" class="btn btn-secondary btn-small">
                                        {t("users.revoke")}<span class="visually-hidden">" " {scope.name.clone()} " – " {user.name.clone()}</span>
                                    </button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!addable.is_empty()).then(|| view! {
                <form class="grant-role" method="post" action=GrantScope::url()>
                    <input type="hidden" name="user_id" value=id.clone()/>
                    <input type="hidden" name="kind" value=kind.as_str()/>
                    <label for=select_id.clone()>{t(&format!("users.scope_add.{}", kind.as_str()))}</label>
                    <select id=select_id name="target_id">
                        {addable.into_iter().map(|(value, text)| view! { <option value=value.to_string()>{text}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="btn btn-primary btn-small">
                        {t("users.add_scope")}<span class="visually-hidden">" – " {user.name.clone()}</span>
                    </button>
                </form>
            })}
        </div>
    }
}
