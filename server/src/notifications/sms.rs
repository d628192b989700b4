//! SMS through an HTTP gateway that speaks GatewayAPI's REST protocol
//! (`POST /rest/mtsms` with a JSON body and `Authorization: Token …`).

use serde::Serialize;
use std::time::Duration;

pub struct SmsGateway {
    client: reqwest::Client,
    url: String,
    token: String,
    sender: String,
}

#[derive(Serialize)]
struct MtSms<'a> {
    sender: &'a str,
    message: &'a str,
    recipients: Vec<Recipient>,
    /// Echoed back in delivery reports; our idempotency key.
    userref: &'a str,
}

#[derive(Serialize)]
struct Recipient {
    msisdn: u64,
}

impl SmsGateway {
    pub fn new(url: &str, token: &str, sender: &str, timeout: Duration) -> anyhow::Result<Self> {
        Ok(SmsGateway {
            client: reqwest::Client::builder().timeout(timeout).build()?,
            url: url.to_string(),
            token: token.to_string(),
            sender: sender.to_string(),
        })
    }

    /// Sends `text` to `phone` (E.164, e.g. "+4520304050").
    pub async fn send(&self, phone: &str, text: &str, reference: &str) -> Result<(), String> {
        let msisdn: u64 = phone
            .trim_start_matches('+')
            .parse()
            .map_err(|_| format!("not an E.164 number: {phone}"))?;
        let body = MtSms {
            sender: &self.sender,
            message: text,
            recipients: vec![Recipient { msisdn }],
            userref: reference,
        };
        let response = self
            .client
            .post(&self.url)
            .header("Authorization", format!("Token {}", self.token))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("SMS gateway unreachable: {e}"))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        Err(format!("SMS gateway answered {status}"))
    }
}

#[async_trait::async_trait]
impl app::server::sms::TextMessages for SmsGateway {
    async fn send_text(&self, phone: &str, text: &str, reference: &str) -> Result<(), String> {
        self.send(phone, text, reference).await
    }
}
