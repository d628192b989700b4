//! Notifications as people meet them: turning push on for a device (after a
//! tap, never unprompted), seeing and removing those devices, and — for the
//! office — the message log with resending, and a message to one volunteer.

use crate::components::Loaded;
use crate::domain::notifications::{Channel, MessageRecord, PushDevice};
use crate::domain::{AppError, Id};
use crate::i18n::{date_time_at, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// How many messages the log shows at once.
pub const MESSAGE_PAGE: i64 = 200;

/// What the account page needs to offer push.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushSetup {
    pub public_key: String,
    pub devices: Vec<PushDevice>,
}

#[server(endpoint = "push/setup")]
pub async fn load_push_setup() -> Result<PushSetup, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        Ok(PushSetup {
            public_key: ctx.settings.vapid_public_key.clone(),
            devices: ctx.storage.list_push_devices(user.id).await?,
        })
    })
    .await
}

/// A browser's `PushSubscription.toJSON()`, with the name the person gave
/// the device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscriptionJson {
    pub endpoint: String,
    pub keys: SubscriptionKeys,
    pub device_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscriptionKeys {
    pub p256dh: String,
    pub auth: String,
}

#[server(endpoint = "push/subscribe", input = Json)]
pub async fn subscribe_push(subscription: SubscriptionJson) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let new = parse_subscription(
            &subscription,
            &ctx.settings.push_services,
            ctx.settings.push_loopback_allowed,
        )?;
        ctx.storage
            .add_push_subscription(user.id, &new, ctx.now())
            .await?;
        Ok(())
    })
    .await
}

/// Checks a subscription before it is stored: push services are reached
/// over https (plain http only to this machine, where tests run their own
/// push service, and only when the config allows it), and the keys must be
/// the sizes RFC 8291 gives them.
#[cfg(feature = "ssr")]
fn parse_subscription(
    s: &SubscriptionJson,
    push_services: &[String],
    loopback_allowed: bool,
) -> Result<crate::server::storage::NewPushSubscription, AppError> {
    use base64::Engine;
    let endpoint = s.endpoint.trim();
    let url = url::Url::parse(endpoint).map_err(|_| AppError::invalid("endpoint", "error.url"))?;
    let host = url.host_str().unwrap_or_default();
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    // Only the browsers' own push services: anything else would let a user
    // make the server post to addresses of their choosing.
    let known = url.scheme() == "https"
        && url.port().is_none()
        && push_services
            .iter()
            .any(|s| host == s || host.ends_with(&format!(".{s}")));
    let secure = known || (loopback_allowed && loopback && url.scheme() == "http");
    if !secure || endpoint.len() > 1000 {
        return Err(AppError::invalid("endpoint", "error.url"));
    }
    let decoded = |raw: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw.trim().trim_end_matches('='))
            .map(|b| b.len())
            .unwrap_or(0)
    };
    if decoded(&s.keys.p256dh) != 65 || decoded(&s.keys.auth) != 16 {
        return Err(AppError::invalid("keys", "error.push_keys"));
    }
    let device_name = crate::domain::accounts::parse_passkey_name(&s.device_name)
        .map_err(|_| AppError::invalid("device_name", "error.required"))?;
    Ok(crate::server::storage::NewPushSubscription {
        endpoint: endpoint.to_string(),
        p256dh: s.keys.p256dh.trim().to_string(),
        auth: s.keys.auth.trim().to_string(),
        device_name,
    })
}

#[server(endpoint = "push/remove")]
pub async fn remove_push_device(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        ctx.storage.delete_push_device(user.id, id).await?;
        crate::server::redirect_to("/account");
        Ok(())
    })
    .await
}

/// The log, and what it should say about the channels this installation has.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageLog {
    pub messages: Vec<MessageRecord>,
    pub sms_available: bool,
    /// With Digital Post on: the people the register says are exempt, whom
    /// messages reach by their other channels (the whole office only).
    pub digital_post_exempt: Vec<(Id, String)>,
}

#[server(endpoint = "messages/list")]
pub async fn list_messages(volunteer_id: Option<Id>) -> Result<MessageLog, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_plan_viewer().await?;
        Ok(MessageLog {
            messages: ctx
                .storage
                .list_messages(volunteer_id, user.area_limit(), MESSAGE_PAGE)
                .await?,
            sms_available: ctx.settings.sms_available,
            digital_post_exempt: if ctx.settings.digital_post_available
                && user.area_limit().is_none()
            {
                ctx.storage.digital_post_exempt().await?
            } else {
                Vec::new()
            },
        })
    })
    .await
}

#[server(endpoint = "messages/resend")]
pub async fn resend_message(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_area_planner().await?;
        if let Some(areas) = user.area_limit() {
            let in_scope = match ctx.storage.message_volunteer(id).await? {
                Some(volunteer_id) => ctx.storage.volunteer_in_areas(volunteer_id, areas).await?,
                None => false,
            };
            crate::server::allow(in_scope)?;
        }
        ctx.storage.resend_message(id, ctx.now()).await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to("/messages");
        Ok(())
    })
    .await
}

/// A coordinator's own message to one volunteer, through the outbox.
#[server(endpoint = "messages/send")]
pub async fn send_message(volunteer_id: Id, text: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_area_planner().await?;
        // A coordinator limited to areas writes only to people there.
        if let Some(areas) = user.area_limit() {
            crate::server::allow(ctx.storage.volunteer_in_areas(volunteer_id, areas).await?)?;
        }
        let text = crate::domain::forms::required_message(
            "text",
            &text,
            crate::domain::notifications::MAX_PUSH_TEXT,
        )?;
        ctx.storage.get_volunteer(volunteer_id).await?;
        let now = ctx.now();
        let message = crate::server::storage::NewMessage {
            idempotency_key: format!("free:{volunteer_id}:{}:{}", user.id, (ctx.new_secret)()),
            user_id: None,
            volunteer_id: Some(volunteer_id),
            kind: crate::domain::notifications::MessageKind::FreeText,
            election_id: None,
            task_type_id: None,
            seat_id: None,
            params: [("message".to_string(), text)].into_iter().collect(),
        };
        ctx.storage.enqueue(&message, now).await?;
        (ctx.wake_outbox)();
        crate::server::redirect_back(&[("message", "sent")]);
        Ok(())
    })
    .await
}

/// The account page's section on notifications.
#[component]
pub fn PushSettings() -> impl IntoView {
    let setup = Resource::new(|| (), |_| load_push_setup());
    view! {
        <section class="card" aria-labelledby="push-heading">
            <h2 id="push-heading">{t("push.title")}</h2>
            <p>{t("push.explained")}</p>
            <Loaded resource=setup view={move |s: PushSetup| view! {
                {if s.devices.is_empty() {
                    view! { <p class="muted">{t("push.none")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="passkey-list" aria-label=t("push.devices")>
                            {s.devices.into_iter().map(|d| view! { <PushDeviceItem device=d/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <PushTurnOn public_key=s.public_key/>
            }}/>
        </section>
    }
}

/// Turns push on for this device, after a tap (browsers ask for permission
/// only then): `page.js` subscribes with the server's key (`data-key`),
/// stores the subscription with `push/subscribe` and loads the page again
/// to list the device. The messages in the reader's language are in the
/// box's data attributes; the button stays disabled where push is missing.
#[component]
fn PushTurnOn(public_key: String) -> impl IntoView {
    view! {
        <form class="form" data-push-turn-on="" data-key=public_key
            data-unsupported=t("push.unsupported") data-denied=t("push.denied") data-failed=t("push.failed")>
            <div class="field">
                <label for="push-device-name">{t("push.device_name")}</label>
                <input id="push-device-name" name="device_name" type="text" maxlength="60" required=true
                    autocomplete="off" placeholder=t("push.device_placeholder")/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=true>{t("push.turn_on")}</button>
            </div>
        </form>
    }
}

#[component]
fn PushDeviceItem(device: PushDevice) -> impl IntoView {
    let last = device
        .last_success_at
        .map(|at| t_with("push.last_delivery", &[("when", &date_time_at(at))]))
        .unwrap_or_else(|| t("push.no_delivery_yet"));
    view! {
        <li class="card">
            <h3 class="user-name">{device.name.clone()}</h3>
            <p>{t_with("push.since", &[("when", &date_time_at(device.created_at))])} " · " {last}</p>
            <form method="post" action=RemovePushDevice::url()>
                <input type="hidden" name="id" value=device.id.to_string()/>
                <button type="submit" class="btn btn-secondary btn-small">
                    {t("push.turn_off")}<span class="visually-hidden">" " {device.name.clone()}</span>
                </button>
            </form>
        </li>
    }
}

/// The office's message log: every message, its channel and its fate.
#[component]
pub fn MessagesPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let volunteer = move || {
        query
            .read()
            .get("volunteer")
            .and_then(|v| v.parse::<Id>().ok())
    };
    let messages = Resource::new(volunteer, list_messages);
    view! {
        <Title text=t("messages.title")/>
        <h1>{t("messages.title")}</h1>
        <Loaded resource=messages view={|log: MessageLog| view! {
            {(!log.sms_available).then(|| view! {
                <div class="alert alert-info" role="note"><p>{t("messages.no_sms")}</p></div>
            })}
            {(!log.digital_post_exempt.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="dp-exempt">
                    <h2 id="dp-exempt">{t("messages.digital_post_exempt")}</h2>
                    <p class="hint">{t("messages.digital_post_exempt_hint")}</p>
                    <ul>
                        {log.digital_post_exempt.iter().map(|(id, name)| view! {
                            <li><a href=format!("/volunteers/{id}")>{name.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {if log.messages.is_empty() {
                view! { <p class="empty">{t("messages.none")}</p> }.into_any()
            } else {
                view! { <MessageTable list=log.messages/> }.into_any()
            }}
        }}/>
    }
}

#[component]
fn MessageTable(list: Vec<MessageRecord>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">{t("messages.when")}</th>
                        <th scope="col">{t("messages.to")}</th>
                        <th scope="col">{t("messages.kind")}</th>
                        <th scope="col">{t("messages.status")}</th>
                        <th scope="col">{t("messages.channel")}</th>
                        <th scope="col">{t("common.actions")}</th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|m| {
                        let to = m.recipient.clone();
                        view! {
                            <tr>
                                <td>{date_time_at(m.created_at)}</td>
                                <td>{match m.volunteer_id {
                                    Some(v) => view! { <a href=format!("/volunteers/{v}")>{to.clone()}</a> }.into_any(),
                                    None => view! { <span>{to.clone()}</span> }.into_any(),
                                }}</td>
                                <td>{t(&format!("messages.kind.{}", m.kind.as_str()))}</td>
                                <td>
                                    <span class=format!("badge badge-msg-{}", m.status)>{t(&format!("messages.status.{}", m.status))}</span>
                                    {(!m.last_error.is_empty()).then(|| view! { <span class="hint">" " {m.last_error.clone()}</span> })}
                                </td>
                                <td>
                                    {m.channel.map(|c: Channel| t(&format!("channel.{}", c.as_str()))).unwrap_or_default()}
                                    {m.transmission_id.clone().map(|id| view! {
                                        <br/><small class="muted">{t_with("messages.transmission", &[("id", &id)])}</small>
                                    })}
                                </td>
                                <td class="actions">
                                    {(m.status == "failed").then(|| view! {
                                        <form method="post" action=ResendMessage::url()>
                                            <input type="hidden" name="id" value=m.id.to_string()/>
                                            <button type="submit" class="btn btn-secondary btn-small">
                                                {t("messages.resend")}<span class="visually-hidden">" " {to.clone()}</span>
                                            </button>
                                        </form>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A box on a volunteer's page for writing to them.
#[component]
pub fn SendMessageForm(volunteer_id: Id) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let sent = query
        .read_untracked()
        .get("message")
        .is_some_and(|m| m == "sent");
    view! {
        <section class="card">
            <h2>{t("messages.write")}</h2>
            {sent.then(|| view! {
                <div class="alert alert-success" role="status"><p>{t("messages.queued")}</p></div>
            })}
            <form method="post" action=SendMessage::url()>
                <input type="hidden" name="volunteer_id" value=volunteer_id.to_string()/>
                <div class="form">
                    <crate::components::TextArea name="text" label="field.message"/>
                </div>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary">{t("messages.send")}</button>
                </div>
            </form>
        </section>
    }
}

/// The placeholder values of a message about a seat, in the recipient's
/// language: where, when, what, and the links to answer.
pub fn seat_params(
    seat: &crate::domain::seats::SeatDetails,
    public_url: &str,
) -> crate::domain::notifications::Params {
    use crate::i18n::{date_time_in, long_date_in, translate, Locale};
    let locale = seat
        .volunteer_language
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or_default();
    let shifts_url = format!("{public_url}/my-shifts");
    let shift_url = format!("{shifts_url}#seat-{}", seat.seat_id);
    let mut params: crate::domain::notifications::Params = [
        ("election", seat.election_title.clone()),
        ("task_type", seat.task_type.clone()),
        ("station", seat.station_name.clone()),
        ("address", seat.address.clone()),
        ("date", long_date_in(locale, seat.day)),
        ("start", seat.start_time.format("%H:%M").to_string()),
        ("end", seat.end_time.format("%H:%M").to_string()),
        (
            "payment",
            translate(locale, "common.dkk").replace("{n}", &seat.payment_dkk.to_string()),
        ),
        ("accept_url", shift_url.clone()),
        ("decline_url", shift_url.clone()),
        ("shift_url", shift_url),
        ("shifts_url", shifts_url),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(name) = &seat.volunteer_name {
        params.insert("name".into(), name.clone());
    }
    if let Some(at) = seat.respond_by {
        params.insert("respond_by".into(), date_time_in(locale, at));
    }
    params
}

/// Messages to the coordinators of each area where a person leaves one of
/// `seats` (see [`crate::domain::removals::coming_seats`]), telling them it
/// opens again: they left, were set aside or deleted. Nothing in them
/// names the person.
#[cfg(feature = "ssr")]
pub async fn volunteer_left_messages(
    ctx: &crate::server::ServerContext,
    seats: &[crate::domain::seats::SeatDetails],
    now: i64,
) -> Result<Vec<crate::server::storage::NewMessage>, AppError> {
    use crate::domain::notifications::MessageKind;
    let mut messages = Vec::new();
    for seat in seats {
        let mut seat = seat.clone();
        seat.volunteer_id = None;
        seat.volunteer_name = None;
        seat.volunteer_language = None;
        let mut params = seat_params(&seat, &ctx.settings.public_url);
        params.insert(
            "shift_url".into(),
            format!(
                "{}/stations/{}/roster",
                ctx.settings.public_url, seat.station_id
            ),
        );
        for coordinator in ctx.storage.area_coordinators(seat.area_id).await? {
            messages.push(crate::server::storage::NewMessage {
                idempotency_key: format!(
                    "volunteer_left:seat:{}:{coordinator}:{now}",
                    seat.seat_id
                ),
                user_id: Some(coordinator),
                volunteer_id: None,
                kind: MessageKind::VolunteerLeft,
                election_id: Some(seat.election_id),
                task_type_id: Some(seat.task_type_id),
                seat_id: Some(seat.seat_id),
                params: params.clone(),
            });
        }
    }
    Ok(messages)
}
