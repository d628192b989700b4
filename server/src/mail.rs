//! Sending mail: over SMTP (lettre) when `VALGVAGT_SMTP_URL` is set, else
//! into the server log, so a development machine without a mail server can
//! still follow sign-in links.

use crate::config::Config;
use app::domain::AppError;
use app::server::mail::{Mailer, OutgoingMail};
use async_trait::async_trait;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
}

/// Writes mail to the log instead of sending it (no SMTP configured).
pub struct LogMailer;

pub fn from_config(config: &Config) -> anyhow::Result<Arc<dyn Mailer>> {
    let Some(url) = &config.smtp_url else {
        tracing::warn!(
            "VALGVAGT_SMTP_URL is not set: mail is written to the log instead of being sent"
        );
        return Ok(Arc::new(LogMailer));
    };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| anyhow::anyhow!("VALGVAGT_SMTP_URL is not a usable SMTP URL: {e}"))?
        .timeout(Some(Duration::from_secs(20)))
        .build();
    let from = config
        .mail_from
        .parse()
        .map_err(|e| anyhow::anyhow!("VALGVAGT_MAIL_FROM is not a mail address: {e}"))?;
    let reply_to =
        match &config.mail_reply_to {
            Some(r) => Some(r.parse().map_err(|e| {
                anyhow::anyhow!("VALGVAGT_MAIL_REPLY_TO is not a mail address: {e}")
            })?),
            None => None,
        };
    Ok(Arc::new(SmtpMailer {
        transport,
        from,
        reply_to,
    }))
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), AppError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| AppError::invalid("email", "error.email"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject);
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        if let Some(id) = mail.message_id {
            builder = builder.message_id(Some(id));
        }
        let message = builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(mail.html),
                    ),
            )
            .map_err(|e| {
                tracing::error!(%e, "could not build a mail");
                AppError::Server
            })?;
        self.transport.send(message).await.map_err(|e| {
            tracing::error!(%e, "SMTP delivery failed");
            AppError::Server
        })?;
        Ok(())
    }
}

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, mail: OutgoingMail) -> Result<(), AppError> {
        // Mail carries sign-in links and personal details: the text only at
        // debug level (the demo turns that on), never in an ordinary log.
        tracing::info!("mail not sent: no SMTP server is configured");
        tracing::debug!(to = %mail.to, subject = %mail.subject, "mail (not sent):\n{}", mail.text);
        Ok(())
    }
}
