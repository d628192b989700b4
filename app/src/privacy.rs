//! The privacy text: public at `/privacy` (any version by `?version=`, so a
//! consent record's version can always be read again), and published by
//! administrators at `/admin/privacy`, one immutable version at a time.

use crate::components::Loaded;
use crate::domain::privacy::PrivacyText;
use crate::domain::AppError;
use crate::i18n::{date_time_at, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The text built into the program, in force until one is published.
#[cfg(feature = "ssr")]
fn built_in(ctx: &crate::server::ServerContext) -> PrivacyText {
    use crate::i18n::{translate, Locale};
    let fill = |locale| {
        translate(locale, "privacy.text").replace("{municipality}", &ctx.settings.municipality_name)
    };
    PrivacyText {
        version: ctx.settings.privacy_version.clone(),
        text_da: fill(Locale::Da),
        text_en: fill(Locale::En),
        published_at: None,
        published_by: String::new(),
    }
}

/// The version in force: the newest published, else the built-in text.
#[cfg(feature = "ssr")]
pub(crate) async fn in_force(ctx: &crate::server::ServerContext) -> Result<PrivacyText, AppError> {
    Ok(ctx
        .storage
        .current_privacy_text()
        .await?
        .unwrap_or_else(|| built_in(ctx)))
}

/// What the public page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyShown {
    pub version: String,
    /// In the reader's language.
    pub text: String,
    pub published_at: Option<i64>,
    /// The version in force, when this is an older one.
    pub superseded_by: Option<String>,
}

#[server(endpoint = "privacy/show")]
pub async fn show_privacy(#[server(default)] version: String) -> Result<PrivacyShown, AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let current = in_force(&ctx).await?;
        let shown = match version.trim() {
            "" => current.clone(),
            v if v == current.version => current.clone(),
            v => match ctx.storage.privacy_text(v).await? {
                Some(text) => text,
                None if v == ctx.settings.privacy_version => built_in(&ctx),
                None => return Err(AppError::NotFound),
            },
        };
        Ok(PrivacyShown {
            text: shown.text_in(crate::request_locale()).to_string(),
            superseded_by: (shown.version != current.version).then_some(current.version),
            version: shown.version,
            published_at: shown.published_at,
        })
    })
    .await
}

/// Every version, newest first, the one in force at the top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyHistory {
    pub versions: Vec<PrivacyText>,
}

#[server(endpoint = "privacy/versions")]
pub async fn privacy_versions() -> Result<PrivacyHistory, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_administrator().await?;
        let mut versions = ctx.storage.privacy_texts().await?;
        // The built-in text stays listed: consent records may name it.
        if !versions
            .iter()
            .any(|v| v.version == ctx.settings.privacy_version)
        {
            versions.push(built_in(&ctx));
        }
        Ok(PrivacyHistory { versions })
    })
    .await
}

/// Publishes a new version; from now on newcomers consent to it.
#[server(endpoint = "privacy/publish")]
pub async fn publish_privacy_text(
    version: String,
    text_da: String,
    text_en: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_administrator().await?;
        let text = crate::domain::privacy::NewPrivacyText::parse(&version, &text_da, &text_en)?;
        // The built-in text's version name is taken too.
        if text.version == ctx.settings.privacy_version {
            return Err(AppError::invalid("version", "error.taken"));
        }
        ctx.storage
            .publish_privacy_text(&text, user.id, ctx.now())
            .await?;
        crate::server::audit(
            &ctx,
            Some(&user),
            crate::domain::audit::AuditAction::PrivacyPublished,
            &text.version,
            "",
        )
        .await;
        crate::server::redirect_back(&[("published", "1")]);
        Ok(())
    })
    .await
}

/// A privacy text, paragraph by paragraph.
#[component]
pub fn PrivacyParagraphs(text: String) -> impl IntoView {
    view! {
        <div class="privacy-text">
            {PrivacyText::paragraphs(&text).map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
        </div>
    }
}

/// The privacy text on its own page, linked from the footer.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let shown = Resource::new(
        move || query.read().get("version").unwrap_or_default(),
        show_privacy,
    );
    view! {
        <Title text=t("privacy.title")/>
        <h1>{t("privacy.title")}</h1>
        <Loaded resource=shown view=|p: PrivacyShown| view! {
            {p.superseded_by.map(|current| view! {
                <p class="notice">
                    {t_with("privacy.superseded", &[("version", &p.version)])} " "
                    <a href="/privacy">{t_with("privacy.read_current", &[("version", &current)])}</a>
                </p>
            })}
            <PrivacyParagraphs text=p.text/>
            <p class="muted">
                {t_with("privacy.version", &[("version", &p.version)])}
                {p.published_at.map(|at| view! { " · " {t_with("privacy.published_on", &[("when", &date_time_at(at))])} })}
            </p>
        }/>
    }
}

/// The administrators' page: publish a new version, see every earlier one.
#[component]
pub fn PrivacyAdminPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| privacy_versions());
    let published = crate::components::query_flag("published");
    view! {
        <Title text=t("privacy.admin_title")/>
        <h1>{t("privacy.admin_title")}</h1>
        <p>{t("privacy.admin_intro")}</p>
        {published.then(|| view! {
            <p role="status" class="notice">{t("privacy.published")}</p>
        })}
        <Loaded resource=data view=move |d: PrivacyHistory| {
            let current = d.versions.first().cloned();
            view! {
                <section class="card" aria-labelledby="privacy-new">
                    <h2 id="privacy-new">{t("privacy.new_version")}</h2>
                    {current.as_ref().map(|c| view! {
                        <p>{t_with("privacy.in_force", &[("version", &c.version)])}</p>
                    })}
                    <p class="hint">{t("privacy.new_version_hint")}</p>
                    <form method="post" action=PublishPrivacyText::url()>
                        <div class="field">
                            <label for="privacy-version">{t("field.version")}</label>
                            <input id="privacy-version" name="version" type="text" required=true
                                maxlength=crate::domain::privacy::MAX_VERSION.to_string() aria-describedby="privacy-version-hint"/>
                            <p class="hint" id="privacy-version-hint">{t("privacy.version_hint")}</p>
                        </div>
                        <div class="field">
                            <label for="privacy-da">{t("field.text_da")}</label>
                            <textarea id="privacy-da" name="text_da" rows="16" required=true>{current.as_ref().map(|c| c.text_da.clone())}</textarea>
                        </div>
                        <div class="field">
                            <label for="privacy-en">{t("field.text_en")}</label>
                            <textarea id="privacy-en" name="text_en" rows="16" required=true>{current.as_ref().map(|c| c.text_en.clone())}</textarea>
                        </div>
                        <div class="form-actions">
                            <button type="submit" class="btn btn-primary">{t("privacy.publish")}</button>
                        </div>
                    </form>
                </section>
                // Unnamed, so the table's scroll region is this part's one landmark.
                <section class="card">
                    <h2 id="privacy-versions">{t("privacy.versions")}</h2>
                    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="privacy-versions">
                        <table class="data">
                            <thead>
                                <tr>
                                    <th scope="col">{t("field.version")}</th>
                                    <th scope="col">{t("privacy.published_col")}</th>
                                    <th scope="col">{t("privacy.published_by")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {d.versions.into_iter().map(|v| {
                                    let href = format!("/privacy?version={}", v.version);
                                    view! {
                                        <tr>
                                            <td><a href=href>{v.version.clone()}</a></td>
                                            <td>{v.published_at.map(date_time_at).unwrap_or_else(|| t("privacy.built_in"))}</td>
                                            <td>{v.published_by}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            }
        }/>
    }
}
