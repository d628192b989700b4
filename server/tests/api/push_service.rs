//! A push service on loopback, standing in for the browser vendors' ones:
//! it takes the real encrypted request, checks the VAPID token against the
//! key it names, decrypts the payload with the subscription's private key
//! (RFC 8291, aes128gcm), and keeps what it received.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ece::EcKeyComponents;
use jwt_simple::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One delivered message, decrypted and checked.
#[derive(Debug, Clone)]
pub struct Received {
    pub device: String,
    pub topic: Option<String>,
    pub ttl: Option<String>,
    pub payload: serde_json::Value,
    /// The VAPID token's claims as verified with the key it named.
    pub audience: String,
    pub subject: String,
    pub vapid_key: String,
}

/// A browser's side of a subscription: its key pair and auth secret.
struct Device {
    keys: EcKeyComponents,
    auth: Vec<u8>,
}

#[derive(Clone, Default)]
struct Shared {
    devices: Arc<Mutex<HashMap<String, Device>>>,
    received: Arc<Mutex<Vec<Received>>>,
    /// Devices whose subscription has gone (answer 410).
    gone: Arc<Mutex<Vec<String>>>,
    /// Answer 500 to everything while set.
    failing: Arc<Mutex<bool>>,
    /// Wait this long before answering (to catch a worker mid-batch).
    delay_ms: Arc<Mutex<u64>>,
    problems: Arc<Mutex<Vec<String>>>,
}

pub struct PushService {
    pub base: String,
    shared: Shared,
}

/// A subscription as a browser would send it to the app.
pub struct Subscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl PushService {
    pub async fn start() -> PushService {
        let shared = Shared::default();
        let app = Router::new()
            .route("/push/{device}", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind push service");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        PushService {
            base: format!("http://127.0.0.1:{}", addr.port()),
            shared,
        }
    }

    /// A new device: its keys are made here, as a browser makes them.
    pub fn subscribe(&self, device: &str) -> Subscription {
        let (pair, auth) = ece::generate_keypair_and_auth_secret().expect("keys");
        let keys = pair.raw_components().expect("raw keys");
        let subscription = Subscription {
            endpoint: format!("{}/push/{device}", self.base),
            p256dh: URL_SAFE_NO_PAD.encode(keys.public_key()),
            auth: URL_SAFE_NO_PAD.encode(auth),
        };
        self.shared.devices.lock().unwrap().insert(
            device.to_string(),
            Device {
                keys,
                auth: auth.to_vec(),
            },
        );
        subscription
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Anything wrong with what arrived (bad token, undecryptable payload).
    pub fn problems(&self) -> Vec<String> {
        self.shared.problems.lock().unwrap().clone()
    }

    pub fn forget(&self, device: &str) {
        self.shared.gone.lock().unwrap().push(device.to_string());
    }

    pub fn fail(&self, failing: bool) {
        *self.shared.failing.lock().unwrap() = failing;
    }

    pub fn slow_down(&self, ms: u64) {
        *self.shared.delay_ms.lock().unwrap() = ms;
    }
}

async fn receive(
    State(shared): State<Shared>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let delay = *shared.delay_ms.lock().unwrap();
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if *shared.failing.lock().unwrap() {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    if shared.gone.lock().unwrap().contains(&device) {
        return StatusCode::GONE;
    }
    match check(&shared, &device, &headers, &body) {
        Ok(received) => {
            shared.received.lock().unwrap().push(received);
            StatusCode::CREATED
        }
        Err(problem) => {
            shared.problems.lock().unwrap().push(problem);
            StatusCode::BAD_REQUEST
        }
    }
}

fn check(
    shared: &Shared,
    device: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Received, String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    if header("content-encoding").as_deref() != Some("aes128gcm") {
        return Err(format!(
            "content-encoding is {:?}",
            header("content-encoding")
        ));
    }
    // Authorization: vapid t=<jwt>, k=<public key>
    let authorization = header("authorization").ok_or("no Authorization header")?;
    let rest = authorization
        .strip_prefix("vapid ")
        .ok_or("Authorization is not vapid")?;
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t.to_string());
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k.to_string());
        }
    }
    let (token, key) = (token.ok_or("no t=")?, key.ok_or("no k=")?);
    let key_bytes = URL_SAFE_NO_PAD.decode(&key).map_err(|e| e.to_string())?;
    let public = ES256PublicKey::from_bytes(&key_bytes).map_err(|e| e.to_string())?;
    let claims = public
        .verify_token::<serde_json::Map<String, serde_json::Value>>(&token, None)
        .map_err(|e| format!("VAPID token does not verify: {e}"))?;
    let audience = match claims.audiences {
        Some(Audiences::AsString(a)) => a,
        other => return Err(format!("odd audience {other:?}")),
    };
    let subject = claims.subject.clone().unwrap_or_default();
    let devices = shared.devices.lock().unwrap();
    let d = devices.get(device).ok_or("unknown device")?;
    let plain = ece::decrypt(&d.keys, &d.auth, body).map_err(|e| format!("cannot decrypt: {e}"))?;
    let payload =
        serde_json::from_slice(&plain).map_err(|e| format!("payload is not JSON: {e}"))?;
    Ok(Received {
        device: device.to_string(),
        topic: header("topic"),
        ttl: header("ttl"),
        payload,
        audience,
        subject,
        vapid_key: key,
    })
}

/// Karen, a volunteer with an account and a phone subscribed at `push`
/// (device "karen"), made straight in `storage`. Returns her volunteer id.
pub async fn karen_with_a_phone<S>(storage: &S, push: &PushService) -> i64
where
    S: app::server::storage::VolunteerStore
        + app::server::storage::AccountStore
        + app::server::storage::NotificationStore,
{
    let karen = storage
        .create_volunteer(&crate::storage::volunteer("karen@example.dk"))
        .await
        .unwrap();
    let user = storage
        .ensure_user_with_role(
            "karen@example.dk",
            "Karen",
            app::domain::accounts::Role::Volunteer,
        )
        .await
        .unwrap();
    storage.link_volunteer(user, karen).await.unwrap();
    let phone = push.subscribe("karen");
    storage
        .add_push_subscription(
            user,
            &app::server::storage::NewPushSubscription {
                endpoint: phone.endpoint,
                p256dh: phone.p256dh,
                auth: phone.auth,
                device_name: "Telefon".into(),
            },
            valgvagt_server::secrets::unix_now(),
        )
        .await
        .unwrap();
    karen
}
