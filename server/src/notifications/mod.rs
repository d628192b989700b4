//! Delivering the outbox: a worker in the server claims due messages, writes
//! each in the recipient's language from the election's template (or the
//! default text), and tries the recipient's channels in their order of
//! preference — push, email, SMS, Digital Post — falling back when one
//! fails or cannot reach them (no device, no number, exempt from Digital Post). A message
//! that no channel could deliver is tried again later with exponential
//! backoff, and marked failed after the last try.
//!
//! A claimed message carries a lease: if the server stops or crashes while
//! holding it, the message falls due again when the lease runs out, so no
//! message is lost. Each message goes out with its own push topic and mail
//! Message-ID, so a push service or mail client recognises a repeat of a
//! message that was in flight at the moment of a crash.

pub mod push;
pub mod queue;
pub mod scheduler;
pub mod sms;

use crate::integrations::digital_post::{message_uuid, Letter, Sf1601};
use app::domain::notifications::{
    backoff_secs, render, Channel, Params, PushAction, PushPayload, Reach, Template, MAX_ATTEMPTS,
};
use app::i18n::{translate, Locale};
use app::server::mail::{Mailer, OutgoingMail};
use app::server::Storage;
use futures::stream::{self, StreamExt};
use push::{PushOutcome, PushSender};
use queue::{Claimed, OutboxQueue};
use sms::SmsGateway;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Everything the worker delivers with.
/// The outbox worker's settings as the server runs it (the bench uses
/// them too, so its figure is the production one).
pub const LEASE_SECS: i64 = 120;
pub const BATCH: i64 = 64;
pub const CONCURRENCY: usize = 16;

pub struct Delivery {
    pub queue: Arc<dyn OutboxQueue>,
    pub storage: Arc<dyn Storage>,
    pub mailer: Arc<dyn Mailer>,
    pub push: Option<Arc<PushSender>>,
    pub sms: Option<Arc<SmsGateway>>,
    pub digital_post: Option<Arc<Sf1601>>,
    /// Digital Post first for people without push who never chose.
    pub digital_post_first: bool,
    pub public_url: String,
    pub municipality: String,
    pub clock: fn() -> i64,
    /// How long a claimed message stays with this worker.
    pub lease_secs: i64,
    /// Messages claimed at once, and delivered side by side.
    pub batch: i64,
    pub concurrency: usize,
}

/// What one message's delivery came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    Sent(Channel),
    Retry,
    Failed,
}

impl Delivery {
    /// Claims one batch of due messages and delivers them; returns how many
    /// were claimed (0 when nothing was due).
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let (_keep, running) = watch::channel(false);
        self.run_batch(&running, (self.clock)()).await
    }

    /// One batch; once `stop` turns true, messages not yet started are
    /// given back to the queue instead of being delivered.
    async fn run_batch(&self, stop: &watch::Receiver<bool>, now: i64) -> anyhow::Result<usize> {
        let claimed = self
            .queue
            .claim_due(now, self.lease_secs, self.batch)
            .await
            .map_err(|e| anyhow::anyhow!("claiming outbox messages failed: {e:?}"))?;
        let count = claimed.len();
        stream::iter(claimed)
            .for_each_concurrent(self.concurrency, |message| async move {
                let result = if *stop.borrow() {
                    self.queue
                        .release(message.id)
                        .await
                        .map(|_| Delivered::Retry)
                } else {
                    self.deliver(message).await
                };
                if let Err(e) = result {
                    tracing::error!("outbox delivery failed: {e:?}");
                }
            })
            .await;
        Ok(count)
    }

    /// Delivers every message that is due now (tests and the benchmark).
    pub async fn drain(&self) -> anyhow::Result<usize> {
        self.drain_at((self.clock)()).await
    }

    /// Delivers every message due at `now` (tests that move the clock on).
    pub async fn drain_at(&self, now: i64) -> anyhow::Result<usize> {
        let (_keep, running) = watch::channel(false);
        let mut total = 0;
        loop {
            let n = self.run_batch(&running, now).await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// Tries the recipient's channels in order until one delivers.
    pub async fn deliver(&self, message: Claimed) -> Result<Delivered, app::domain::AppError> {
        let params = self.params(&message).await;
        let mut last_error = String::new();
        let mut tried_any = false;
        let recipient = &message.recipient;
        let reach = Reach {
            push: self.push.is_some() && !recipient.push.is_empty(),
            email: recipient.email.is_some(),
            sms: self.sms.is_some() && recipient.phone.is_some(),
            digital_post: self.digital_post.is_some()
                && recipient.cpr.is_some()
                && !recipient.digital_post_exempt,
            digital_post_first: self.digital_post_first,
        };
        for channel in reach.order(&recipient.channels) {
            let result = match channel {
                Channel::Push => match (&self.push, message.recipient.push.is_empty()) {
                    (Some(sender), false) => Some(
                        self.send_push(sender, &message, &params)
                            .await
                            .map(|()| None),
                    ),
                    _ => None,
                },
                Channel::Email => match &message.recipient.email {
                    Some(address) => Some(
                        self.send_email(address, &message, &params)
                            .await
                            .map(|()| None),
                    ),
                    None => None,
                },
                Channel::Sms => match (&self.sms, &message.recipient.phone) {
                    (Some(gateway), Some(phone)) => Some(
                        self.send_sms(gateway, phone, &message, &params)
                            .await
                            .map(|()| None),
                    ),
                    _ => None,
                },
                // An exempt citizen is left to their next channel.
                Channel::DigitalPost => match (&self.digital_post, &message.recipient.cpr) {
                    (Some(service), Some(cpr)) if reach.digital_post => Some(
                        self.send_digital_post(service, cpr, &message, &params)
                            .await
                            .map(Some),
                    ),
                    _ => None,
                },
            };
            // A channel the recipient cannot be reached on is skipped silently.
            let Some(result) = result else { continue };
            tried_any = true;
            let now = (self.clock)();
            match result {
                Ok(reference) => {
                    self.queue
                        .record_attempt(message.id, channel, None, now)
                        .await?;
                    self.queue
                        .mark_sent(message.id, channel, reference.as_deref(), now)
                        .await?;
                    return Ok(Delivered::Sent(channel));
                }
                Err(error) => {
                    tracing::warn!(id = message.id, channel = channel.as_str(), %error, "delivery failed");
                    self.queue
                        .record_attempt(message.id, channel, Some(&error), now)
                        .await?;
                    last_error = format!("{}: {error}", channel.as_str());
                }
            }
        }
        if !tried_any {
            self.queue
                .mark_failed(message.id, "no channel reaches the recipient")
                .await?;
            return Ok(Delivered::Failed);
        }
        if message.attempts >= MAX_ATTEMPTS {
            self.queue.mark_failed(message.id, &last_error).await?;
            return Ok(Delivered::Failed);
        }
        let next = (self.clock)() + backoff_secs(message.attempts - 1);
        self.queue.mark_retry(message.id, &last_error, next).await?;
        Ok(Delivered::Retry)
    }

    /// The message's words on one channel: the election's template if a
    /// coordinator wrote one, else the default text, with placeholders filled.
    async fn compose(&self, message: &Claimed, channel: Channel, params: &Params) -> Template {
        let language = message.recipient.language.as_str();
        let custom = match message.election_id {
            Some(election) => self
                .storage
                .find_template(
                    election,
                    message.task_type_id,
                    message.kind,
                    channel,
                    language,
                )
                .await
                .unwrap_or_else(|e| {
                    tracing::error!("reading a message template failed: {e:?}");
                    None
                }),
            None => None,
        };
        let template = custom
            .unwrap_or_else(|| app::templates::default_words(message.kind, channel, language));
        Template {
            subject: render(&template.subject, params),
            body: render(&template.body, params),
        }
    }

    /// The message's own values plus those every message has; a message
    /// that offers a seat gets a fresh personal answer link (made at
    /// delivery, so the token itself is never stored).
    async fn params(&self, message: &Claimed) -> Params {
        let mut params = message.params.clone();
        if let Some(link) = self.answer_link(message).await {
            params.insert("accept_url".into(), format!("{link}?choice=yes"));
            params.insert("decline_url".into(), format!("{link}?choice=no"));
            params.insert("answer_url".into(), link);
        }
        params
            .entry("name".into())
            .or_insert_with(|| message.recipient.name.clone());
        params.insert("municipality".into(), self.municipality.clone());
        params
            .entry("shifts_url".into())
            .or_insert_with(|| format!("{}/", self.public_url));
        params
            .entry("shift_url".into())
            .or_insert_with(|| format!("{}/", self.public_url));
        if !params.contains_key("answer_url") {
            let shift = params["shift_url"].clone();
            params.insert("answer_url".into(), shift);
        }
        params
    }

    /// `{public_url}/answer/{token}` for a message offering a seat that is
    /// still on offer to its recipient; `None` otherwise.
    async fn answer_link(&self, message: &Claimed) -> Option<String> {
        let (Some(seat_id), Some(volunteer_id)) = (message.seat_id, message.volunteer_id) else {
            return None;
        };
        if !message.kind.offers_seat() {
            return None;
        }
        let token = crate::secrets::new_short_secret();
        match self
            .storage
            .create_answer_link(
                &crate::secrets::hash(&token),
                seat_id,
                volunteer_id,
                (self.clock)(),
            )
            .await
        {
            Ok(Some(_)) => Some(format!("{}/answer/{token}", self.public_url)),
            Ok(None) => None,
            Err(e) => {
                tracing::error!("making an answer link failed: {e:?}");
                None
            }
        }
    }

    async fn send_push(
        &self,
        sender: &PushSender,
        message: &Claimed,
        params: &Params,
    ) -> Result<(), String> {
        let text = self.compose(message, Channel::Push, params).await;
        let locale = locale_of(&message.recipient.language);
        // The token of the answer link, if the message has one: the
        // notification's buttons answer with it, signed in or not.
        let answer = params
            .get("answer_url")
            .and_then(|url| url.split("/answer/").nth(1))
            .map(str::to_string);
        let actions = if message.kind.answerable() || answer.is_some() {
            vec![
                PushAction {
                    action: "accept".into(),
                    title: translate(locale, "push.accept"),
                },
                PushAction {
                    action: "decline".into(),
                    title: translate(locale, "push.decline"),
                },
            ]
        } else {
            Vec::new()
        };
        let payload = PushPayload {
            title: text.subject,
            body: text.body,
            // Reminders for the same seat replace each other on the screen.
            tag: match message.seat_id {
                Some(seat) => format!("seat-{seat}"),
                None => format!("message-{}", message.id),
            },
            // An offer opens its answer page (no sign-in needed).
            url: params
                .get("answer_url")
                .cloned()
                .unwrap_or_else(|| "/".into()),
            lang: message.recipient.language.clone(),
            seat_id: message.seat_id,
            answer,
            actions,
        };
        let bytes = fit_push_payload(payload)?;
        let topic = format!("m{}", message.id);
        let mut errors = Vec::new();
        let mut delivered = false;
        // Every device the person turned push on gets it.
        for target in &message.recipient.push {
            match sender.send(target, &bytes, &topic, 24 * 3600).await {
                PushOutcome::Delivered => {
                    delivered = true;
                    let _ = self.queue.push_delivered(target.id, (self.clock)()).await;
                }
                PushOutcome::Gone => {
                    let _ = self.queue.drop_push_subscription(target.id).await;
                    errors.push("subscription gone".to_string());
                }
                PushOutcome::Failed(e) => errors.push(e),
            }
        }
        if delivered {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    async fn send_email(
        &self,
        address: &str,
        message: &Claimed,
        params: &Params,
    ) -> Result<(), String> {
        let text = self.compose(message, Channel::Email, params).await;
        let host = crate::startup::host_of(&self.public_url);
        self.mailer
            .send(OutgoingMail {
                to: address.to_string(),
                subject: text.subject,
                html: email_html(&text.body, &self.public_url),
                text: text.body,
                message_id: Some(format!("<outbox-{}@{host}>", message.id)),
            })
            .await
            .map_err(|e| format!("{e:?}"))
    }

    async fn send_sms(
        &self,
        gateway: &SmsGateway,
        phone: &str,
        message: &Claimed,
        params: &Params,
    ) -> Result<(), String> {
        let text = self.compose(message, Channel::Sms, params).await;
        gateway
            .send(phone, &text.body, &message.idempotency_key)
            .await
    }

    /// A letter to the citizen's Digital Post, written from the e-mail's
    /// words; its transmission id on success.
    async fn send_digital_post(
        &self,
        service: &Sf1601,
        cpr: &str,
        message: &Claimed,
        params: &Params,
    ) -> Result<String, String> {
        let text = self
            .compose(message, Channel::DigitalPost.words(), params)
            .await;
        service
            .send(&Letter {
                cpr,
                label: &text.subject,
                html: &letter_html(&text.subject, &text.body, &self.public_url),
                language: &message.recipient.language,
                message_uuid: message_uuid(&message.idempotency_key),
                created_at: (self.clock)(),
            })
            .await
    }

    /// Runs until `shutdown` turns true: delivers what is due, then sleeps
    /// until the next message falls due or `wake` is notified.
    pub fn spawn(
        self: Arc<Self>,
        wake: Arc<Notify>,
        mut shutdown: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if *shutdown.borrow() {
                    return;
                }
                let claimed = match self.run_batch(&shutdown, (self.clock)()).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::error!("{e}");
                        0
                    }
                };
                if claimed > 0 {
                    continue;
                }
                let wait = match self.queue.next_due_at().await {
                    Ok(Some(at)) => (at - (self.clock)()).clamp(0, 30),
                    _ => 30,
                };
                let wait = Duration::from_secs(wait as u64).max(Duration::from_millis(50));
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => {}
                }
            }
        })
    }
}

/// Push services take at most 4 KB, of which 3,052 bytes of plaintext once
/// encrypted; a body that would not fit is shortened (with an ellipsis).
pub const MAX_PUSH_PAYLOAD: usize = 3000;

fn fit_push_payload(mut payload: PushPayload) -> Result<Vec<u8>, String> {
    loop {
        let bytes = serde_json::to_vec(&payload).map_err(|e| e.to_string())?;
        if bytes.len() <= MAX_PUSH_PAYLOAD {
            return Ok(bytes);
        }
        // Cut the body by the bytes it is over (plus the ellipsis), at a
        // character boundary; escapes may need another round.
        let over = bytes.len() - MAX_PUSH_PAYLOAD + '…'.len_utf8();
        let mut cut = payload.body.len().saturating_sub(over);
        while !payload.body.is_char_boundary(cut) {
            cut -= 1;
        }
        if cut == 0 {
            return Err("the push message does not fit".into());
        }
        payload.body.truncate(cut);
        payload.body.push('…');
    }
}

fn locale_of(language: &str) -> Locale {
    Locale::parse(language).unwrap_or_default()
}

/// Plain text to simple HTML: paragraphs, line breaks, and links to
/// Valgvagt itself (`own`, the public URL). Other addresses stay text: a
/// volunteer's note ("delayed") must not become a link in an official mail.
pub fn email_html(text: &str, own: &str) -> String {
    html_page(None, text, own)
}

/// A Digital Post letter's main document: the e-mail's page with its
/// subject as the heading.
pub fn letter_html(subject: &str, body: &str, own: &str) -> String {
    html_page(Some(subject), body, own)
}

/// The page both are: an optional heading, then the text's paragraphs.
fn html_page(heading: Option<&str>, text: &str, own: &str) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family: sans-serif; line-height: 1.5\">",
    );
    if let Some(heading) = heading {
        html.push_str(&format!("<h1>{}</h1>", escape(heading)));
    }
    for paragraph in text.split("\n\n") {
        html.push_str("<p>");
        let lines: Vec<String> = paragraph.lines().map(|l| linkify(l, own)).collect();
        html.push_str(&lines.join("<br>"));
        html.push_str("</p>");
    }
    html.push_str("</body></html>");
    html
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn linkify(line: &str, own: &str) -> String {
    let own = own.trim_end_matches('/');
    line.split(' ')
        .map(|word| {
            let ours = !own.is_empty()
                && (word == own
                    || word
                        .strip_prefix(own)
                        .is_some_and(|rest| rest.starts_with(['/', '?', '#'])));
            if ours {
                let url = escape(word);
                format!("<a href=\"{url}\">{url}</a>")
            } else {
                escape(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::notifications::{unknown_placeholders, MessageKind};

    #[test]
    fn every_message_has_default_words_in_both_languages() {
        for locale in [Locale::Da, Locale::En] {
            for kind in MessageKind::ALL {
                for channel in Channel::WRITTEN {
                    let mut parts = vec!["body"];
                    if channel != Channel::Sms {
                        parts.push("subject");
                    }
                    for part in parts {
                        let key = format!("msg.{}.{}.{part}", kind.as_str(), channel.as_str());
                        let text = translate(locale, &key);
                        assert_ne!(text, key, "{key} is missing ({locale:?})");
                        assert!(
                            unknown_placeholders(&text).is_empty(),
                            "{key} ({locale:?}) uses {:?}",
                            unknown_placeholders(&text)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_default_sms_fits_two_segments_with_its_link() {
        use app::domain::answers::sms_segments;
        let long_url = format!("https://valgvagt.korsbaek.dk/answer/{}", "a1".repeat(16));
        let params: Params = [
            ("municipality", "Korsbæk Kommune"),
            ("name", "Karen Margrethe Jensen"),
            ("task_type", "Tilforordnet vælger"),
            ("station", "Korsbæk Rådhus, Sal 2"),
            ("address", "Torvet 1, 4200 Korsbæk"),
            ("date", "onsdag 16. september 2026"),
            ("start", "07:00"),
            ("end", "20:00"),
            ("respond_by", "10.9.2026 18:00"),
            ("answer_url", long_url.as_str()),
            ("shift_url", long_url.as_str()),
            ("message", "Ring til valgstyreren, når du er der."),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for language in ["da", "en"] {
            for kind in MessageKind::ALL {
                let words = app::templates::default_words(kind, Channel::Sms, language);
                let text = render(&words.body, &params);
                assert!(
                    sms_segments(&text) <= 2,
                    "{} ({language}) takes {} SMS segments: {text}",
                    kind.as_str(),
                    sms_segments(&text)
                );
                if kind.offers_seat() {
                    assert!(
                        text.contains(&long_url),
                        "{} carries its link",
                        kind.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn a_long_push_body_is_shortened_to_fit() {
        let payload = PushPayload {
            title: "Besked".into(),
            body: "æ".repeat(4000),
            tag: "t".into(),
            url: "/".into(),
            lang: "da".into(),
            seat_id: None,
            answer: None,
            actions: vec![],
        };
        let bytes = fit_push_payload(payload).unwrap();
        assert!(bytes.len() <= MAX_PUSH_PAYLOAD);
        let back: PushPayload = serde_json::from_slice(&bytes).unwrap();
        assert!(back.body.ends_with('…'));
        assert!(back.body.chars().count() > 1000);
    }

    #[test]
    fn mail_html_escapes_and_links() {
        let html = email_html(
            "Hej <Karen>\nSe https://valg.example.dk/x?a=1&b=2\n\nHilsen",
            "https://valg.example.dk",
        );
        assert!(html.contains(
            "<p>Hej &lt;Karen&gt;<br>Se <a href=\"https://valg.example.dk/x?a=1&amp;b=2\">"
        ));
        assert!(html.contains("<p>Hilsen</p>"));
    }

    #[test]
    fn a_letter_is_the_mails_page_under_its_subject() {
        let own = "https://valg.example.dk";
        let letter = letter_html("Vagt <søndag>", "Hej\n\nSe https://valg.example.dk/x", own);
        let mail = email_html("Hej\n\nSe https://valg.example.dk/x", own);
        assert_eq!(
            letter,
            mail.replacen("1.5\">", "1.5\"><h1>Vagt &lt;søndag&gt;</h1>", 1)
        );
    }

    #[test]
    fn mail_html_links_only_to_valgvagt_itself() {
        let own = "https://valg.example.dk";
        for foreign in [
            "https://evil.example/login",
            "https://valg.example.dk.evil.example/x",
            "http://valg.example.dk/x",
        ] {
            let html = email_html(&format!("Forsinket, se {foreign}"), own);
            assert!(!html.contains("<a "), "{foreign}: {html}");
            assert!(html.contains(&escape(foreign)), "{html}");
        }
        assert!(email_html(&format!("{own}/my-shifts"), own).contains("<a href="));
    }
}
