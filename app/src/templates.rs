//! Message templates per election: a coordinator rewords a message (per
//! channel and language, optionally for one task type) and sees it filled
//! with example values as they type. An unknown placeholder is refused.

use crate::components::{ActionError, Loaded};
use crate::domain::notifications::{
    demo_params, render, Channel, MessageKind, StoredTemplate, Template, PLACEHOLDERS,
};
use crate::domain::{AppError, Id};
use crate::i18n::{t, t_with, translate, Locale, Texts};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// One message being edited, and what the page needs around it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateEditor {
    pub election_id: Id,
    pub election_title: String,
    pub task_types: Vec<(Id, String)>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub language: String,
    pub task_type_id: Option<Id>,
    /// The words in force: the stored ones, else the default.
    pub current: Template,
    /// The stored template exactly for this choice, if any (to reset).
    pub stored: Option<StoredTemplate>,
    /// Every stored template of the election (a list of what was changed).
    pub all: Vec<StoredTemplate>,
}

#[cfg(feature = "ssr")]
fn choice_kind(raw: &str) -> MessageKind {
    MessageKind::parse(raw).unwrap_or(MessageKind::Invitation)
}

#[cfg(feature = "ssr")]
fn choice_channel(raw: &str) -> Channel {
    Channel::parse(raw).unwrap_or(Channel::Email).words()
}

#[cfg(feature = "ssr")]
fn choice_language(raw: &str) -> String {
    Locale::parse(raw).unwrap_or_default().code().to_string()
}

/// The default words of a message, from the locale files.
pub fn default_words(kind: MessageKind, channel: Channel, language: &str) -> Template {
    let locale = Locale::parse(language).unwrap_or_default();
    let key = |part: &str| format!("msg.{}.{}.{part}", kind.as_str(), channel.as_str());
    Template {
        subject: if channel == Channel::Sms {
            String::new()
        } else {
            translate(locale, &key("subject"))
        },
        body: translate(locale, &key("body")),
    }
}

#[server(endpoint = "templates/editor")]
pub async fn load_template_editor(
    election_id: Id,
    kind: String,
    channel: String,
    language: String,
    task_type_id: Option<Id>,
) -> Result<TemplateEditor, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        let election = ctx.storage.get_election(election_id).await?;
        let (kind, channel, language) = (
            choice_kind(&kind),
            choice_channel(&channel),
            choice_language(&language),
        );
        let all = ctx.storage.list_templates(election_id).await?;
        let stored = all
            .iter()
            .find(|s| {
                s.kind == kind
                    && s.channel == channel
                    && s.language == language
                    && s.task_type_id == task_type_id
            })
            .cloned();
        let current = match ctx
            .storage
            .find_template(election_id, task_type_id, kind, channel, &language)
            .await?
        {
            Some(template) => template,
            None => default_words(kind, channel, &language),
        };
        Ok(TemplateEditor {
            election_id,
            election_title: election.title,
            task_types: ctx
                .storage
                .list_task_types()
                .await?
                .into_iter()
                .map(|t| (t.id, t.title))
                .collect(),
            kind,
            channel,
            language,
            task_type_id,
            current,
            stored,
            all,
        })
    })
    .await
}

#[server(endpoint = "templates/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_template(
    election_id: Id,
    kind: String,
    channel: String,
    language: String,
    task_type_id: String,
    subject: String,
    body: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        let kind = MessageKind::parse(kind.trim())
            .ok_or_else(|| AppError::invalid("kind", "error.unknown_choice"))?;
        let channel = Channel::parse(channel.trim())
            .ok_or_else(|| AppError::invalid("channel", "error.unknown_choice"))?;
        let language = Locale::parse(language.trim())
            .ok_or_else(|| AppError::invalid("language", "error.unknown_choice"))?
            .code()
            .to_string();
        let task_type_id = crate::elections::optional_id(&task_type_id)?;
        let words = crate::domain::notifications::parse_template(channel, &subject, &body)?;
        ctx.storage.get_election(election_id).await?;
        if let Some(task) = task_type_id {
            ctx.storage.get_task_type(task).await?;
        }
        let template = StoredTemplate {
            id: 0,
            task_type_id,
            kind,
            channel,
            language,
            subject: words.subject,
            body: words.body,
            updated_at: 0,
        };
        ctx.storage
            .save_template(election_id, &template, ctx.now())
            .await?;
        crate::server::redirect_to(&editor_url(election_id, &template));
        Ok(())
    })
    .await
}

#[server(endpoint = "templates/delete")]
pub async fn delete_template(election_id: Id, id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_planner().await?;
        ctx.storage.delete_template(election_id, id).await?;
        crate::server::redirect_to(&format!("/elections/{election_id}/messages"));
        Ok(())
    })
    .await
}

fn editor_url(election_id: Id, t: &StoredTemplate) -> String {
    format!(
        "/elections/{election_id}/messages?kind={}&channel={}&language={}&task={}",
        t.kind.as_str(),
        t.channel.as_str(),
        t.language,
        t.task_type_id.map(|id| id.to_string()).unwrap_or_default()
    )
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let election = move || params.read().get("id").and_then(|v| v.parse::<Id>().ok());
    let choice = move || {
        let q = query.read();
        (
            q.get("kind").unwrap_or_default(),
            q.get("channel").unwrap_or_default(),
            q.get("language").unwrap_or_default(),
            q.get("task").and_then(|v| v.parse::<Id>().ok()),
        )
    };
    let data = Resource::new(
        move || (election(), choice()),
        |(election, (kind, channel, language, task))| async move {
            match election {
                Some(id) => load_template_editor(id, kind, channel, language, task).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Loaded resource=data view={move |d: TemplateEditor| view! { <Editor data=d/> }}/>
    }
}

#[component]
fn Editor(data: TemplateEditor) -> impl IntoView {
    let title = t_with("templates.title", &[("election", &data.election_title)]);
    let has_subject = data.channel != Channel::Sms;
    let election_id = data.election_id.to_string();
    let option = |value: String, label: String, selected: bool| {
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <form class="form form-grid template-choice" method="get">
            <div class="field">
                <label for="tpl-kind">{t("templates.kind")}</label>
                <select id="tpl-kind" name="kind">
                    {MessageKind::ALL.into_iter().map(|k| option(k.as_str().into(), t(&format!("messages.kind.{}", k.as_str())), k == data.kind)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="tpl-channel">{t("templates.channel")}</label>
                <select id="tpl-channel" name="channel">
                    {Channel::WRITTEN.into_iter().map(|c| option(c.as_str().into(), t(&format!("channel.{}", c.as_str())), c == data.channel)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="tpl-language">{t("templates.language")}</label>
                <select id="tpl-language" name="language">
                    {option("da".into(), "Dansk".into(), data.language == "da")}
                    {option("en".into(), "English".into(), data.language == "en")}
                </select>
            </div>
            <div class="field">
                <label for="tpl-task">{t("templates.task_type")}</label>
                <select id="tpl-task" name="task">
                    {option(String::new(), t("templates.all_task_types"), data.task_type_id.is_none())}
                    {data.task_types.iter().map(|(id, name)| option(id.to_string(), name.clone(), Some(*id) == data.task_type_id)).collect_view()}
                </select>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-secondary">{t("templates.show")}</button>
            </div>
        </form>
        <section class="card">
            <h2>{t(&format!("messages.kind.{}", data.kind.as_str()))} " · " {t(&format!("channel.{}", data.channel.as_str()))}</h2>
            <p class="hint">{if data.stored.is_some() { t("templates.custom") } else { t("templates.default") }}</p>
            <TemplateForm has_subject subject=data.current.subject.clone() body=data.current.body.clone()
                texts=Texts::of(&["templates.", "common.save"])>
                <input type="hidden" name="election_id" value=election_id.clone()/>
                <input type="hidden" name="kind" value=data.kind.as_str()/>
                <input type="hidden" name="channel" value=data.channel.as_str()/>
                <input type="hidden" name="language" value=data.language.clone()/>
                <input type="hidden" name="task_type_id" value=data.task_type_id.map(|id| id.to_string()).unwrap_or_default()/>
            </TemplateForm>
            {data.stored.clone().map(|s| view! {
                <form method="post" action=DeleteTemplate::url()>
                    <input type="hidden" name="election_id" value=data.election_id.to_string()/>
                    <input type="hidden" name="id" value=s.id.to_string()/>
                    <button type="submit" class="btn btn-secondary">{t("templates.reset")}</button>
                </form>
            })}
        </section>
        {(!data.all.is_empty()).then(|| view! {
            <section class="card">
                <h2>{t("templates.changed")}</h2>
                <ul>
                    {data.all.iter().map(|s| {
                        let task = s.task_type_id
                            .and_then(|id| data.task_types.iter().find(|(t, _)| *t == id).map(|(_, n)| n.clone()))
                            .unwrap_or_else(|| t("templates.all_task_types"));
                        view! {
                            <li><a href=editor_url(data.election_id, s)>
                                {t(&format!("messages.kind.{}", s.kind.as_str()))} " · " {t(&format!("channel.{}", s.channel.as_str()))}
                                " · " {s.language.clone()} " · " {task}
                            </a></li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

/// The words of a message (the form's hidden choice fields are
/// `children`), with the preview filled with example values and the
/// unknown placeholders named as the coordinator types. Saved in place: a
/// refusal keeps what was typed; after saving, the page loads again.
#[island]
fn TemplateForm(
    has_subject: bool,
    subject: String,
    body: String,
    texts: Texts,
    children: Children,
) -> impl IntoView {
    texts.install();
    let save = ServerAction::<SaveTemplate>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            let _ = window().location().reload();
        }
    });
    let first_body = body.clone();
    let subject = RwSignal::new(subject);
    let body = RwSignal::new(body);
    let demo = demo_params();
    let preview = {
        let demo = demo.clone();
        move || render(&body.get(), &demo)
    };
    let preview_subject = move || render(&subject.get(), &demo);
    let unknown = move || {
        let mut words = crate::domain::notifications::unknown_placeholders(&subject.get());
        words.extend(crate::domain::notifications::unknown_placeholders(
            &body.get(),
        ));
        words
    };
    view! {
        <ActionError action=save/>
        <ActionForm action=save>
            {children()}
            <div class="form">
                {if has_subject {
                    view! {
                        <div class="field">
                            <label for="tpl-subject">{t("templates.subject")}</label>
                            <input id="tpl-subject" name="subject" type="text" prop:value=move || subject.get()
                                on:input=move |ev| subject.set(event_target_value(&ev))/>
                        </div>
                    }.into_any()
                } else {
                    view! { <input type="hidden" name="subject" value=""/> }.into_any()
                }}
                <div class="field">
                    <label for="tpl-body">{t("templates.body")}</label>
                    <textarea id="tpl-body" name="body" rows="10" prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev))>{first_body}</textarea>
                    <p class="hint">{t("templates.placeholders")} " "
                        {PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(" ")}
                    </p>
                </div>
            </div>
            {move || {
                let words = unknown();
                (!words.is_empty()).then(|| view! {
                    <div class="alert alert-warning" role="status"><p>{t("templates.unknown_words")} " " {words.join(", ")}</p></div>
                })
            }}
            <section class="template-preview" aria-labelledby="preview-heading">
                <h3 id="preview-heading">{t("templates.preview")}</h3>
                {has_subject.then(|| view! { <p class="preview-subject"><strong>{preview_subject}</strong></p> })}
                <div class="preview-body">{preview}</div>
            </section>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("common.save")}</button>
            </div>
        </ActionForm>
    }
}
