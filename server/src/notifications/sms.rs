//! SMS through an HTTP gateway that speaks GatewayAPI's REST protocol
//! (`POST /rest/mtsms` with a JSON body and `Authorization: Token …`).

use serde::Serialize;
use std::time::Duration;

pub struct SmsGateway {
    client: reqwest::Client,
    url: String,
    token: String,
    sender: String,
    /// Country calling codes SMS may go to ("+45"): a self-registered
    /// premium-rate number abroad costs the municipality money.
    countries: Vec<String>,
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
    pub fn new(
        url: &str,
        token: &str,
        sender: &str,
        countries: &[String],
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        Ok(SmsGateway {
            client: reqwest::Client::builder().timeout(timeout).build()?,
            url: url.to_string(),
            token: token.to_string(),
            sender: sender.to_string(),
            countries: countries.to_vec(),
        })
    }

    /// Sends `text` to `phone` (E.164, e.g. "+4520304050"). Errors never
    /// name the number: they end up in logs and in the office's message log.
    pub async fn send(&self, phone: &str, text: &str, reference: &str) -> Result<(), String> {
        if !app::domain::volunteers::sms_reaches(phone, &self.countries) {
            return Err(format!(
                "no SMS to this country: only {} (VALGVAGT_SMS_COUNTRIES)",
                self.countries.join(", ")
            ));
        }
        let msisdn: u64 = phone
            .trim_start_matches('+')
            .parse()
            .map_err(|_| "not an E.164 number".to_string())?;
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

#[cfg(test)]
mod tests {
    use super::SmsGateway;
    use std::time::Duration;

    #[tokio::test]
    async fn numbers_of_other_countries_get_no_sms_and_errors_name_no_number() {
        // Nothing listens on port 9: a refusal must come before any request.
        let gateway = SmsGateway::new(
            "http://127.0.0.1:9/rest/mtsms",
            "t",
            "Valgvagt",
            &["+45".to_string(), "+298".to_string()],
            Duration::from_secs(1),
        )
        .unwrap();
        let error = gateway.send("+881612345678", "hej", "r").await.unwrap_err();
        assert!(error.starts_with("no SMS to this country"), "{error}");
        assert!(!error.contains("881612345678"), "{error}");
        let error = gateway.send("+45abc", "hej", "r").await.unwrap_err();
        assert_eq!(error, "not an E.164 number");
    }
}
