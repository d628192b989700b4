//! The accessibility statement (*tilgængelighedserklæring*), which the
//! Danish web accessibility act (lov nr. 692 af 8. juni 2018) requires of
//! every public authority's website: how accessible the site is, what is
//! known not to be, how that was found out, and whom to tell.

use crate::components::Loaded;
use crate::domain::AppError;
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Who answers for the site, as the statement names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responsible {
    pub municipality: String,
    pub phone: String,
    pub email: String,
}

#[server(endpoint = "about/accessibility")]
pub async fn accessibility_contact() -> Result<Responsible, AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        Ok(Responsible {
            municipality: ctx.settings.municipality_name.clone(),
            phone: ctx.settings.office_phone.clone(),
            email: ctx.settings.office_email.clone(),
        })
    })
    .await
}

/// Paragraphs of a locale text, split at blank lines.
fn paragraphs(text: String) -> impl IntoView {
    text.split("\n\n")
        .map(|p| view! { <p>{p.to_string()}</p> })
        .collect_view()
}

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let contact = Resource::new(|| (), |_| accessibility_contact());
    view! {
        <Title text=t("accessibility.title")/>
        <article class="statement">
            <h1>{t("accessibility.title")}</h1>
            <Loaded resource=contact view=|r: Responsible| {
                let m = r.municipality.clone();
                let vars = [("municipality", m.as_str())];
                let mail = format!("mailto:{}", r.email);
                let phone = format!("tel:{}", r.phone.replace(' ', ""));
                view! {
                    {paragraphs(t_with("accessibility.intro", &vars))}
                    <h2>{t("accessibility.status_heading")}</h2>
                    {paragraphs(t("accessibility.status"))}
                    <h2>{t("accessibility.known_heading")}</h2>
                    <ul>
                        <li>{t("accessibility.known_scanner")}</li>
                        <li>{t("accessibility.known_exports")}</li>
                        <li>{t("accessibility.known_live")}</li>
                    </ul>
                    <h2>{t("accessibility.method_heading")}</h2>
                    {paragraphs(t("accessibility.method"))}
                    <h2>{t("accessibility.feedback_heading")}</h2>
                    {paragraphs(t_with("accessibility.feedback", &vars))}
                    <p>
                        <a href=mail>{r.email.clone()}</a>
                        {(!r.phone.is_empty()).then(|| view! {
                            " · " <a href=phone.clone()>{r.phone.clone()}</a>
                        })}
                    </p>
                    <h2>{t("accessibility.enforcement_heading")}</h2>
                    {paragraphs(t("accessibility.enforcement"))}
                    <p><a href="https://www.was.digst.dk">"was.digst.dk"</a></p>
                    <p class="muted">{t("accessibility.prepared")}</p>
                }
            }/>
        </article>
    }
}
