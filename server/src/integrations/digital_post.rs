//! Letters to a citizen's Digital Post through KOMBIT's Serviceplatformen:
//! SF1601 KombiPostAfsend, in its three REST steps, each over HTTPS with the
//! municipality's system certificate as the TLS client certificate:
//!
//! 1. the security token service issues a SAML assertion for KombiPostAfsend
//!    (JSON, the certificate also named in the request as `UseKey`);
//! 2. Serviceplatformen's access token service exchanges it for an access
//!    token (a form post, JSON back), kept until shortly before it expires;
//! 3. `…/KombiPostAfsend_1/kombi` takes a `kombi_request` with a MeMo message
//!    (`Authorization: Holder-of-key <token>`) and answers a transmission id.
//!
//! Errors never name the CPR number: they end up in logs and the message log.

use base64::Engine;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The service the STS is asked for a token to.
pub const ENTITY_ID: &str = "http://entityid.kombit.dk/service/kombipostafsend/1";
/// MeMo's namespace.
pub const MEMO_NS: &str = "https://DigitalPost.dk/MeMo-1";
const TOKEN_PATH: &str = "/service/AccessTokenService_1/token";
const KOMBI_PATH: &str = "/service/KombiPostAfsend_1/kombi";

/// Where to send and as whom.
#[derive(Clone)]
pub struct Sf1601Settings {
    /// Serviceplatformen's base address, e.g. `https://prod.serviceplatformen.dk`.
    pub url: String,
    /// The security token service's issue endpoint.
    pub sts_url: String,
    /// The CVR letters are sent on behalf of (8 digits).
    pub sender_cvr: String,
    /// The sender the citizen sees.
    pub sender_label: String,
    /// The system certificate and its private key, PEM.
    pub client_pem: Vec<u8>,
    /// The CA(s) the services' certificates must chain to, PEM; none: the
    /// system's roots.
    pub server_ca_pem: Option<Vec<u8>>,
    pub timeout: Duration,
}

/// One letter: the recipient, its title and its main document.
pub struct Letter<'a> {
    /// Ten digits.
    pub cpr: &'a str,
    /// The title shown in the citizen's mailbox.
    pub label: &'a str,
    /// The main document, an HTML page.
    pub html: &'a str,
    /// "da" or "en".
    pub language: &'a str,
    /// The same for every try of one message, so a repeat is known as one.
    pub message_uuid: uuid::Uuid,
    /// When the letter was made (unix seconds).
    pub created_at: i64,
}

struct AccessToken {
    /// `<token_type> <access_token>`, as the Authorization header takes it.
    header: String,
    until: Instant,
}

pub struct Sf1601 {
    client: reqwest::Client,
    sts_url: String,
    token_url: String,
    kombi_url: String,
    cvr: String,
    sender_label: String,
    /// The client certificate, base64 DER on one line (the STS's `UseKey`).
    use_key: String,
    token: Mutex<Option<AccessToken>>,
}

impl Sf1601 {
    pub fn new(settings: Sf1601Settings) -> anyhow::Result<Self> {
        let cvr = super::cvr("the sender's", &settings.sender_cvr)?;
        let use_key = first_certificate(&settings.client_pem).ok_or_else(|| {
            anyhow::anyhow!("the Digital Post client certificate (PEM) holds no certificate")
        })?;
        let client = super::mutual_tls_client(
            "Digital Post",
            &settings.client_pem,
            settings.server_ca_pem.as_deref(),
            settings.timeout,
        )?;
        let base = settings.url.trim_end_matches('/');
        Ok(Sf1601 {
            client,
            sts_url: settings.sts_url,
            token_url: format!("{base}{TOKEN_PATH}"),
            kombi_url: format!("{base}{KOMBI_PATH}"),
            cvr,
            sender_label: settings.sender_label,
            use_key,
            token: Mutex::new(None),
        })
    }

    /// The client the configuration names; an unreadable certificate stops
    /// the server from starting rather than failing at the first letter.
    pub fn from_config(settings: &crate::config::DigitalPostSettings) -> anyhow::Result<Self> {
        use super::read_pem as read;
        Self::new(Sf1601Settings {
            url: settings.url.clone(),
            sts_url: settings.sts_url.clone(),
            sender_cvr: settings.sender_cvr.clone(),
            sender_label: settings.sender_label.clone(),
            client_pem: read("VALGVAGT_DIGITAL_POST_CLIENT_CERT", &settings.client_cert)?,
            server_ca_pem: match &settings.server_ca {
                Some(path) => Some(read("VALGVAGT_DIGITAL_POST_SERVER_CA", path)?),
                None => None,
            },
            timeout: Duration::from_secs(settings.timeout_seconds),
        })
    }

    /// Sends `letter`; the transmission id on success.
    pub async fn send(&self, letter: &Letter<'_>) -> Result<String, String> {
        let body = kombi_request(&memo_message(&self.cvr, &self.sender_label, letter));
        let mut fresh = false;
        loop {
            let authorization = self.access_token(fresh).await?;
            let now = chrono::Utc::now();
            let response = self
                .client
                .post(&self.kombi_url)
                .header("Content-Type", "application/xml")
                .header("Authorization", authorization)
                .header("x-TransaktionsId", uuid::Uuid::new_v4().to_string())
                .header(
                    "x-TransaktionsTid",
                    now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                )
                .body(body.clone())
                .send()
                .await
                .map_err(|e| format!("Digital Post unreachable: {}", super::error_chain(&e)))?;
            let status = response.status();
            // A token the service no longer takes: one more try with a new one.
            if status == reqwest::StatusCode::UNAUTHORIZED && !fresh {
                fresh = true;
                continue;
            }
            let text = response.text().await.map_err(|e| {
                format!(
                    "Digital Post's answer broke off: {}",
                    super::error_chain(&e)
                )
            })?;
            return read_kombi_response(status.as_u16(), &text);
        }
    }

    /// The Authorization header's value: the kept token, or (when `fresh`
    /// or it is about to expire) a new one through the STS.
    async fn access_token(&self, fresh: bool) -> Result<String, String> {
        let mut kept = self.token.lock().await;
        if let Some(token) = kept.as_ref() {
            if !fresh && token.until > Instant::now() {
                return Ok(token.header.clone());
            }
        }
        let assertion = self.saml_assertion().await?;
        let response = self
            .client
            .post(&self.token_url)
            .form(&[("saml-token", assertion.as_str())])
            .send()
            .await
            .map_err(|e| {
                format!(
                    "the access token service is unreachable: {}",
                    super::error_chain(&e)
                )
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the access token service answered {status}"));
        }
        #[derive(serde::Deserialize)]
        struct Token {
            access_token: String,
            token_type: String,
            expires_in: u64,
        }
        let token: Token = response
            .json()
            .await
            .map_err(|e| format!("the access token service's answer: {e}"))?;
        let header = format!("{} {}", token.token_type, token.access_token);
        // A minute's margin, so no letter goes out on a token about to lapse.
        let life = Duration::from_secs(token.expires_in.saturating_sub(60));
        *kept = Some(AccessToken {
            header: header.clone(),
            until: Instant::now() + life,
        });
        Ok(header)
    }

    /// Step 1: a SAML assertion (base64) for KombiPostAfsend.
    async fn saml_assertion(&self) -> Result<String, String> {
        let request = serde_json::json!({
            "TokenType": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
            "RequestType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
            "KeyType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
            "AnvenderKontekst": { "Cvr": self.cvr },
            "UseKey": self.use_key,
            "AppliesTo": { "EndpointReference": { "Address": ENTITY_ID } },
            "OnBehalfOf": null,
        });
        let response = self
            .client
            .post(&self.sts_url)
            .json(&request)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "the security token service is unreachable: {}",
                    super::error_chain(&e)
                )
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the security token service answered {status}"));
        }
        let answer: serde_json::Value = response
            .json()
            .await
            .map_err(|e| format!("the security token service's answer: {e}"))?;
        answer["RequestedSecurityToken"]["Assertion"]
            .as_str()
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .ok_or_else(|| "the security token service issued no assertion".to_string())
    }
}

/// The first certificate of a PEM bundle as base64 DER on one line.
fn first_certificate(pem: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(pem).ok()?;
    let start = text.find("-----BEGIN CERTIFICATE-----")? + "-----BEGIN CERTIFICATE-----".len();
    let end = start + text[start..].find("-----END CERTIFICATE-----")?;
    let body: String = text[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    (!body.is_empty()).then_some(body)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The MeMo message (version 1.1): header with sender (CVR) and recipient
/// (CPR), and the HTML main document.
pub fn memo_message(sender_cvr: &str, sender_label: &str, letter: &Letter<'_>) -> String {
    let created = chrono::DateTime::from_timestamp(letter.created_at, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ");
    // A title is at most 250 characters in MeMo.
    let label: String = letter.label.chars().take(250).collect();
    let content = base64::engine::general_purpose::STANDARD.encode(letter.html.as_bytes());
    format!(
        r#"<memo:Message xmlns:memo="{MEMO_NS}" memoVersion="1.1" memoSchVersion="1.1.0"><memo:MessageHeader><memo:messageType>DIGITALPOST</memo:messageType><memo:messageUUID>{uuid}</memo:messageUUID><memo:label>{label}</memo:label><memo:mandatory>false</memo:mandatory><memo:legalNotification>false</memo:legalNotification><memo:Sender><memo:senderID>{cvr}</memo:senderID><memo:idType>CVR</memo:idType><memo:label>{sender}</memo:label></memo:Sender><memo:Recipient><memo:recipientID>{cpr}</memo:recipientID><memo:idType>CPR</memo:idType></memo:Recipient></memo:MessageHeader><memo:MessageBody><memo:createdDateTime>{created}</memo:createdDateTime><memo:MainDocument><memo:File><memo:encodingFormat>text/html</memo:encodingFormat><memo:filename>brev.html</memo:filename><memo:language>{language}</memo:language><memo:content>{content}</memo:content></memo:File></memo:MainDocument></memo:MessageBody></memo:Message>"#,
        uuid = letter.message_uuid,
        label = escape(&label),
        cvr = escape(sender_cvr),
        sender = escape(sender_label),
        cpr = escape(letter.cpr),
        language = escape(letter.language),
    )
}

/// The kombi request: Digital Post only (an exempt citizen is the outbox's
/// to reach by another channel, not the print service's).
pub fn kombi_request(message: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><kombi_request><KombiValgKode>Digital Post</KombiValgKode>{message}</kombi_request>"#
    )
}

/// Reads `kombi_response`: the transmission id when `Result` is true.
pub fn read_kombi_response(status: u16, xml: &str) -> Result<String, String> {
    let doc = roxmltree::Document::parse(xml);
    let text = |name: &str| {
        doc.as_ref().ok().and_then(|d| {
            d.descendants()
                .find(|n| n.tag_name().name() == name)
                .and_then(|n| n.text())
                .map(|t| t.trim().to_string())
        })
    };
    let advice = text("AdvisTekst")
        .or_else(|| text("FejlTekst"))
        .or_else(|| text("ErrorText"))
        .unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(format!("Digital Post answered {status}: {advice}")
            .trim_end_matches([':', ' '])
            .to_string());
    }
    match (text("Result").as_deref(), text("TransmissionID")) {
        (Some("true"), Some(id)) if !id.is_empty() => Ok(id),
        (Some("true"), _) => Err("Digital Post answered no transmission id".into()),
        _ => Err(format!("Digital Post refused the letter: {advice}")
            .trim_end_matches([':', ' '])
            .to_string()),
    }
}

/// One message's MeMo UUID, the same for every try: made from the outbox's
/// idempotency key, so Digital Post sees a repeat after a crash as one letter.
pub fn message_uuid(idempotency_key: &str) -> uuid::Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(idempotency_key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_is_a_memo_message_with_its_document_in_base64() {
        let letter = Letter {
            cpr: "0101901111",
            label: "Invitation <valg>",
            html: "<p>Hej Anna</p>",
            language: "da",
            message_uuid: message_uuid("invitation:seat:1"),
            created_at: 1_800_000_000,
        };
        let xml = kombi_request(&memo_message("29189846", "Korsbæk Kommune", &letter));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let find = |name: &str| {
            doc.descendants()
                .find(|n| n.tag_name().name() == name && n.tag_name().namespace() == Some(MEMO_NS))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(find("label"), "Invitation <valg>");
        assert_eq!(find("senderID"), "29189846");
        assert_eq!(find("recipientID"), "0101901111");
        assert_eq!(find("createdDateTime"), "2027-01-15T08:00:00Z");
        let html = base64::engine::general_purpose::STANDARD
            .decode(find("content"))
            .unwrap();
        assert_eq!(html, b"<p>Hej Anna</p>");
        assert_eq!(
            message_uuid("invitation:seat:1"),
            letter.message_uuid,
            "the same message has the same UUID on every try"
        );
        assert_ne!(message_uuid("invitation:seat:2"), letter.message_uuid);
    }

    #[test]
    fn kombi_responses_are_read_for_their_transmission_id_or_reason() {
        let ok = "<kombi_response><Result>true</Result><TransmissionID>tx-1</TransmissionID></kombi_response>";
        assert_eq!(read_kombi_response(200, ok), Ok("tx-1".into()));
        let refused = "<kombi_response><Result>false</Result><HovedoplysningerSvarREST><SvarReaktion><Advis><AdvisId>1</AdvisId><AdvisTekst>Modtager er fritaget</AdvisTekst></Advis></SvarReaktion></HovedoplysningerSvarREST></kombi_response>";
        assert_eq!(
            read_kombi_response(200, refused),
            Err("Digital Post refused the letter: Modtager er fritaget".into())
        );
        assert_eq!(
            read_kombi_response(503, "busy"),
            Err("Digital Post answered 503".into())
        );
    }
}
