//! Messages to a group: the people on the seats a participant list shows
//! (its filters: station, team, task type, status, day …) get a
//! coordinator's words through the outbox. A preview first shows how many
//! it reaches and on which channel each will go out.

use crate::components::{ActionError, Loaded};
use crate::domain::AppError;
use crate::i18n::{t, t_with, Texts};
use crate::lists::ListQuery;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Who a group message reaches, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupReach {
    pub recipients: usize,
    pub push: usize,
    pub email: usize,
    pub sms: usize,
    pub digital_post: usize,
    /// No channel reaches them.
    pub unreachable: usize,
    /// The email as the first recipient will read it.
    pub sample: String,
    /// The message went out.
    pub sent: bool,
    /// The words previewed, sent as they are.
    pub text: String,
    /// Names this send: sending the same batch twice (a double tap, a
    /// resent form) reaches nobody twice.
    pub batch: String,
}

/// Previews (or with `send` = "yes", sends) `text` to everyone on the seats
/// the list's filters cover, one message each however many seats they hold.
#[server(endpoint = "messages/group")]
pub async fn message_group(
    query: ListQuery,
    text: String,
    #[server(default)] send: String,
    #[server(default)] batch: String,
) -> Result<GroupReach, AppError> {
    crate::server::guarded(async move {
        use crate::domain::notifications::{render, Channel, MessageKind};
        let (ctx, user) = crate::server::require_area_planner().await?;
        let text = crate::domain::forms::required_message(
            "text",
            &text,
            crate::domain::notifications::MAX_PUSH_TEXT,
        )?;
        // Contact columns are not needed to send; only the filters count.
        let mut query = query;
        query.columns = "name".into();
        let (filter, _) = crate::lists::resolve(&ctx, &user, &query).await?;
        // A coordinator limited to areas writes only to people there.
        if !user.can_plan() {
            let area = filter
                .area
                .ok_or_else(|| AppError::invalid("area", "group.choose_area"))?;
            crate::server::allow(user.can_plan_area(area))?;
        }
        // One message a person, however many of the listed seats they hold.
        let mut people: Vec<(crate::domain::Id, String, String)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for p in ctx.storage.participants(&filter).await? {
            if seen.insert(p.volunteer_id) {
                people.push((p.volunteer_id, p.name, p.phone));
            }
        }
        if people.is_empty() {
            return Err(AppError::refused("group.nobody"));
        }
        let with_push: std::collections::HashSet<crate::domain::Id> = ctx
            .storage
            .volunteers_with_push()
            .await?
            .into_iter()
            .collect();
        let batch = match batch.trim() {
            "" => (ctx.new_secret)(),
            given
                if given.len() <= 64
                    && given
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                given.to_string()
            }
            _ => return Err(AppError::invalid("batch", "error.unknown_choice")),
        };
        let mut reach = GroupReach {
            recipients: people.len(),
            text: text.clone(),
            batch: batch.clone(),
            ..GroupReach::default()
        };
        let ids: Vec<crate::domain::Id> = people.iter().map(|(id, _, _)| *id).collect();
        let channels = ctx.storage.channels_of(&ids).await?;
        let by_digital_post = if ctx.settings.digital_post_available {
            ctx.storage.digital_post_reachable(&ids).await?
        } else {
            Default::default()
        };
        for (id, _, phone) in &people {
            let first = Channel::first_reaching(
                channels.get(id).map(Vec::as_slice).unwrap_or_default(),
                crate::domain::notifications::Reach {
                    push: with_push.contains(id),
                    email: true,
                    sms: ctx.settings.sms_available && !phone.is_empty(),
                    digital_post: by_digital_post.contains(id),
                    digital_post_first: ctx.settings.digital_post_first,
                },
            );
            match first {
                Some(Channel::Push) => reach.push += 1,
                Some(Channel::Email) => reach.email += 1,
                Some(Channel::Sms) => reach.sms += 1,
                Some(Channel::DigitalPost) => reach.digital_post += 1,
                None => reach.unreachable += 1,
            }
        }
        let locale = crate::request_locale();
        let params = |name: &str| -> crate::domain::notifications::Params {
            [
                ("message", text.clone()),
                ("name", name.to_string()),
                ("municipality", ctx.settings.municipality_name.clone()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect()
        };
        reach.sample = render(
            &crate::templates::default_words(MessageKind::FreeText, Channel::Email, locale.code())
                .body,
            &params(&people[0].1),
        );
        if send.trim() == "yes" {
            let messages: Vec<crate::server::storage::NewMessage> = people
                .iter()
                .map(|(id, name, _)| crate::server::storage::NewMessage {
                    idempotency_key: format!("group:{}:{batch}:{id}", user.id),
                    user_id: None,
                    volunteer_id: Some(*id),
                    kind: MessageKind::FreeText,
                    election_id: Some(filter.election_id),
                    task_type_id: None,
                    seat_id: None,
                    params: params(name),
                })
                .collect();
            ctx.storage.enqueue_all(&messages, ctx.now()).await?;
            (ctx.wake_outbox)();
            reach.sent = true;
        }
        Ok(reach)
    })
    .await
}

/// The people on a list's seats (its filters come in the address, as on
/// the list): write, preview, then send.
#[component]
pub fn GroupMessagePage() -> impl IntoView {
    let query = crate::lists::query_from_address();
    let list = Resource::new(
        move || ListQuery {
            columns: "name".into(),
            ..query()
        },
        crate::lists::load_list,
    );
    let title = t("group.title");
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <Loaded resource=list view=move |d: crate::lists::ListData| {
            let q = ListQuery {
                election: d.election_id.to_string(),
                ..query()
            };
            let back = crate::domain::forms::with_query("/lists", &q.filter_pairs());
            view! {
                <p>{t_with("lists.count", &[("n", &d.total.to_string())])} " " <a href=back>{t("group.back")}</a></p>
                {if d.can_message && d.total > 0 {
                    view! {
                        <GroupMessageForm query=q.clone() texts=Texts::of(&["group."])/>
                    }.into_any()
                } else {
                    view! { <p class="empty">{t("group.nobody")}</p> }.into_any()
                }}
            }
        }/>
    }
}

/// Preview and send happen in place: the preview's figures and sample
/// belong to the words written, which a page load would lose.
#[island]
fn GroupMessageForm(query: ListQuery, texts: Texts) -> impl IntoView {
    texts.install();
    let preview = ServerAction::<MessageGroup>::new();
    let send = ServerAction::<MessageGroup>::new();
    let hidden = move || {
        let q = query.clone();
        [
            ("query[election]", q.election),
            ("query[day]", q.day),
            ("query[area]", q.area),
            ("query[station]", q.station),
            ("query[team]", q.team),
            ("query[task_type]", q.task_type),
            ("query[status]", q.status),
            ("query[columns]", "name".to_string()),
        ]
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
        .collect_view()
    };
    let hidden_again = hidden.clone();
    let reach = move || preview.value().get().and_then(|r| r.ok());
    let sent = move || send.value().get().and_then(|r| r.ok()).filter(|r| r.sent);
    view! {
        <section class="card">
            <p>{t("group.explained")}</p>
            {move || sent().map(|r| view! {
                <div class="alert alert-success" role="status"><p>{t_with("group.sent", &[("n", &r.recipients.to_string())])}</p></div>
            })}
            <ActionError action=preview/>
            <ActionForm action=preview attr:class="form">
                {hidden()}
                <div class="field">
                    <label for="group-text">{t("group.text")}</label>
                    <textarea id="group-text" name="text" rows="4" maxlength="400" required=true></textarea>
                </div>
                <button type="submit" class="btn btn-secondary">{t("group.preview")}</button>
            </ActionForm>
            {move || reach().map(|r| {
                let hidden = hidden_again.clone();
                view! {
                    <div class="group-preview">
                        <p role="status"><strong>{t_with("group.recipients", &[("n", &r.recipients.to_string())])}</strong></p>
                        <ul>
                            <li>{t_with("group.by_push", &[("n", &r.push.to_string())])}</li>
                            <li>{t_with("group.by_email", &[("n", &r.email.to_string())])}</li>
                            <li>{t_with("group.by_sms", &[("n", &r.sms.to_string())])}</li>
                            {(r.digital_post > 0).then(|| view! {
                                <li>{t_with("group.by_digital_post", &[("n", &r.digital_post.to_string())])}</li>
                            })}
                            {(r.unreachable > 0).then(|| view! { <li>{t_with("group.unreachable", &[("n", &r.unreachable.to_string())])}</li> })}
                        </ul>
                        <p>{t("group.sample")}</p>
                        <pre class="message-sample">{r.sample.clone()}</pre>
                    </div>
                    <ActionError action=send/>
                    <ActionForm action=send>
                        {hidden()}
                        <input type="hidden" name="text" value=r.text.clone()/>
                        <input type="hidden" name="batch" value=r.batch.clone()/>
                        <input type="hidden" name="send" value="yes"/>
                        <button type="submit" class="btn btn-primary" disabled=move || send.pending().get()>{t_with("group.send", &[("n", &r.recipients.to_string())])}</button>
                    </ActionForm>
                }
            })}
        </section>
    }
}
