//! Web push: RFC 8291 encryption and RFC 8292 (VAPID) signing by the
//! web-push crate, sent over our own HTTP client with a timeout.

use super::queue::PushTarget;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::time::Duration;
use web_push::{
    ContentEncoding, PartialVapidSignatureBuilder, SubscriptionInfo, Urgency,
    VapidSignatureBuilder, WebPushMessageBuilder,
};

/// What became of one push delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Delivered,
    /// The push service no longer knows the subscription (404/410): drop it.
    Gone,
    Failed(String),
}

pub struct PushSender {
    client: reqwest::Client,
    vapid: PartialVapidSignatureBuilder,
    subject: String,
    public_key: String,
}

/// A fresh VAPID private key: a raw P-256 scalar, base64url.
pub fn new_vapid_key() -> String {
    let pair = jwt_simple::prelude::ES256KeyPair::generate();
    URL_SAFE_NO_PAD.encode(pair.to_bytes())
}

impl PushSender {
    pub fn new(private_key: &str, subject: &str, timeout: Duration) -> anyhow::Result<Self> {
        let vapid = VapidSignatureBuilder::from_base64_no_sub(private_key)
            .map_err(|e| anyhow::anyhow!("the VAPID private key is not usable: {e}"))?;
        let public_key = URL_SAFE_NO_PAD.encode(vapid.get_public_key());
        // Push services answer directly; a redirect is never followed.
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(PushSender {
            client,
            vapid,
            subject: subject.to_string(),
            public_key,
        })
    }

    /// The key browsers need to subscribe (`applicationServerKey`), base64url.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// Encrypts `payload` for one device and posts it to its push service.
    /// `topic` lets the push service replace an undelivered copy of the same
    /// message instead of delivering it twice.
    pub async fn send(
        &self,
        target: &PushTarget,
        payload: &[u8],
        topic: &str,
        ttl: u32,
    ) -> PushOutcome {
        let request = match self.build(target, payload, topic, ttl) {
            Ok(request) => request,
            Err(e) => return PushOutcome::Failed(e),
        };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return PushOutcome::Failed("push service timed out".into())
            }
            Err(e) => return PushOutcome::Failed(format!("push service unreachable: {e}")),
        };
        let status = response.status();
        if status.is_success() {
            return PushOutcome::Delivered;
        }
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
            return PushOutcome::Gone;
        }
        // The status only: what a push service writes back is not shown on.
        PushOutcome::Failed(format!("push service answered {status}"))
    }

    fn build(
        &self,
        target: &PushTarget,
        payload: &[u8],
        topic: &str,
        ttl: u32,
    ) -> Result<reqwest::RequestBuilder, String> {
        let info = SubscriptionInfo::new(&target.endpoint, &target.p256dh, &target.auth);
        let mut signer = self.vapid.clone().add_sub_info(&info);
        signer.add_claim("sub", self.subject.as_str());
        let signature = signer
            .build()
            .map_err(|e| format!("VAPID signing failed: {e}"))?;
        let mut message = WebPushMessageBuilder::new(&info);
        message.set_payload(ContentEncoding::Aes128Gcm, payload);
        message.set_vapid_signature(signature);
        message.set_ttl(ttl);
        message.set_urgency(Urgency::High);
        message.set_topic(topic.to_string());
        let message = message
            .build()
            .map_err(|e| format!("push message could not be built: {e}"))?;
        // web-push speaks http 0.2; carry the request over to reqwest by hand.
        let built = web_push::request_builder::build_request::<Vec<u8>>(message);
        let mut request = self.client.post(built.uri().to_string());
        for (name, value) in built.headers() {
            if let Ok(value) = value.to_str() {
                request = request.header(name.as_str(), value);
            }
        }
        Ok(request.body(built.into_body()))
    }
}
