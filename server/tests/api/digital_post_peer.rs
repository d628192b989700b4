//! A loopback stand-in for Digital Post through Serviceplatformen (SF1601):
//! the security token service, the access token service and KombiPostAfsend,
//! all over HTTPS that demands a client certificate from the test's CA. It
//! checks each step as the services do (the STS request's fields and that its
//! `UseKey` is the certificate the connection was made with; the assertion
//! it issued; the access token, transaction headers, `KombiValgKode` and the
//! MeMo message's required elements), records every letter, and answers in
//! the services' shapes.

use crate::cpr_peer::TestPki;
use base64::Engine;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

pub const MEMO_NS: &str = "https://DigitalPost.dk/MeMo-1";
const ENTITY_ID: &str = "http://entityid.kombit.dk/service/kombipostafsend/1";

/// A letter as the peer took it.
#[derive(Debug, Clone)]
pub struct Letter {
    pub cpr: String,
    pub label: String,
    pub sender_label: String,
    pub message_uuid: String,
    /// The main document, decoded.
    pub html: String,
    pub transmission_id: String,
}

#[derive(Default)]
struct State {
    /// Assertions issued, not yet exchanged.
    assertions: HashSet<String>,
    /// Access tokens that work.
    tokens: HashSet<String>,
    letters: Vec<Letter>,
    /// Requests refused, with the reason (what a test expects never happens).
    refusals: Vec<String>,
    calls: HashMap<&'static str, u32>,
}

pub struct DigitalPostPeer {
    /// Serviceplatformen's base address.
    pub url: String,
    pub sts_url: String,
    state: Arc<Mutex<State>>,
    /// The next this many letters are answered 503.
    busy: Arc<AtomicU32>,
}

impl DigitalPostPeer {
    /// Speaks for sender `cvr`; `exempt` are citizens exempt from Digital Post.
    pub async fn start(pki: &TestPki, cvr: &'static str, exempt: &[&'static str]) -> Self {
        let acceptor = crate::cpr_peer::acceptor(pki);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let busy = Arc::new(AtomicU32::new(0));
        let exempt: Arc<HashSet<String>> = Arc::new(exempt.iter().map(|s| s.to_string()).collect());
        let (st, b) = (state.clone(), busy.clone());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, state, busy, exempt) =
                    (acceptor.clone(), st.clone(), b.clone(), exempt.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    // The certificate this connection was made with, as the
                    // STS compares it with the request's UseKey.
                    let presented = tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .map(|c| base64::engine::general_purpose::STANDARD.encode(c.as_ref()))
                        .unwrap_or_default();
                    let service = hyper::service::service_fn(move |request| {
                        let (state, busy, exempt, presented) = (
                            state.clone(),
                            busy.clone(),
                            exempt.clone(),
                            presented.clone(),
                        );
                        async move {
                            Ok::<_, std::convert::Infallible>(
                                answer(request, cvr, &presented, &state, &busy, &exempt).await,
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        let base = format!("https://127.0.0.1:{port}");
        DigitalPostPeer {
            sts_url: format!("{base}/runtime/api/rest/wstrust/v1/issue"),
            url: base,
            state,
            busy,
        }
    }

    pub fn letters(&self) -> Vec<Letter> {
        self.state.lock().unwrap().letters.clone()
    }

    pub fn refusals(&self) -> Vec<String> {
        self.state.lock().unwrap().refusals.clone()
    }

    /// How often each step was called: "sts", "token", "kombi".
    pub fn calls(&self, step: &str) -> u32 {
        self.state
            .lock()
            .unwrap()
            .calls
            .get(step)
            .copied()
            .unwrap_or(0)
    }

    /// The next `n` letters are answered 503 (the service is busy).
    pub fn busy_for(&self, n: u32) {
        self.busy.store(n, Ordering::SeqCst);
    }

    /// Every access token issued so far stops working.
    pub fn expire_tokens(&self) {
        self.state.lock().unwrap().tokens.clear();
    }
}

type Body = http_body_util::Full<hyper::body::Bytes>;

fn respond(status: u16, content_type: &str, body: String) -> hyper::Response<Body> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Body::new(body.into()))
        .unwrap()
}

fn refuse(state: &Mutex<State>, status: u16, why: String) -> hyper::Response<Body> {
    state.lock().unwrap().refusals.push(why.clone());
    respond(status, "text/plain", why)
}

async fn answer(
    request: hyper::Request<hyper::body::Incoming>,
    cvr: &str,
    presented: &str,
    state: &Mutex<State>,
    busy: &AtomicU32,
    exempt: &HashSet<String>,
) -> hyper::Response<Body> {
    use http_body_util::BodyExt;
    let path = request.uri().path().to_string();
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (content_type, authorization) = (header("content-type"), header("authorization"));
    let (transaction_id, transaction_time) =
        (header("x-transaktionsid"), header("x-transaktionstid"));
    if request.method() != hyper::Method::POST {
        return refuse(state, 405, format!("{} {path}", request.method()));
    }
    let bytes = request.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&bytes).to_string();
    match path.as_str() {
        "/runtime/api/rest/wstrust/v1/issue" => {
            *state.lock().unwrap().calls.entry("sts").or_default() += 1;
            issue(&body, cvr, presented, state)
        }
        "/service/AccessTokenService_1/token" => {
            *state.lock().unwrap().calls.entry("token").or_default() += 1;
            exchange(&content_type, &body, state)
        }
        "/service/KombiPostAfsend_1/kombi" => {
            *state.lock().unwrap().calls.entry("kombi").or_default() += 1;
            if !state.lock().unwrap().tokens.contains(
                authorization
                    .strip_prefix("Holder-of-key ")
                    .unwrap_or_default(),
            ) {
                return refuse(state, 401, "no valid access token".into());
            }
            if !content_type.starts_with("application/xml") {
                return refuse(state, 415, format!("content type {content_type}"));
            }
            if uuid::Uuid::parse_str(&transaction_id).is_err()
                || chrono::DateTime::parse_from_rfc3339(&transaction_time).is_err()
            {
                return refuse(
                    state,
                    400,
                    format!("transaction headers {transaction_id:?} {transaction_time:?}"),
                );
            }
            if busy
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return respond(503, "text/plain", "busy".into());
            }
            kombi(&body, cvr, state, exempt)
        }
        _ => refuse(state, 404, path),
    }
}

/// Step 1: checks the token request and issues a (stand-in) SAML assertion.
fn issue(body: &str, cvr: &str, presented: &str, state: &Mutex<State>) -> hyper::Response<Body> {
    let Ok(request) = serde_json::from_str::<serde_json::Value>(body) else {
        return refuse(state, 400, "STS: not JSON".into());
    };
    let expect = [
        (
            "/TokenType",
            "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
        ),
        (
            "/RequestType",
            "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
        ),
        (
            "/KeyType",
            "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
        ),
        ("/AnvenderKontekst/Cvr", cvr),
        ("/AppliesTo/EndpointReference/Address", ENTITY_ID),
        ("/UseKey", presented),
    ];
    for (pointer, value) in expect {
        if request.pointer(pointer).and_then(|v| v.as_str()) != Some(value) {
            return refuse(state, 400, format!("STS: {pointer} is not {value}"));
        }
    }
    let id = uuid::Uuid::new_v4();
    let assertion = base64::engine::general_purpose::STANDARD.encode(format!(
        r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{id}"><saml:Conditions NotOnOrAfter="2099-01-01T00:00:00Z"><saml:AudienceRestriction><saml:Audience>{ENTITY_ID}</saml:Audience></saml:AudienceRestriction></saml:Conditions></saml:Assertion>"#
    ));
    state.lock().unwrap().assertions.insert(assertion.clone());
    respond(
        200,
        "application/json",
        serde_json::json!({
            "RequestedSecurityToken": { "Assertion": assertion },
            "TokenType": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
        })
        .to_string(),
    )
}

/// Step 2: an issued assertion for an access token (each assertion once).
fn exchange(content_type: &str, body: &str, state: &Mutex<State>) -> hyper::Response<Body> {
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return refuse(state, 415, format!("token: content type {content_type}"));
    }
    let assertion = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "saml-token")
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    let mut state_now = state.lock().unwrap();
    if !state_now.assertions.remove(&assertion) {
        drop(state_now);
        return refuse(
            state,
            400,
            "token: an assertion the STS never issued".into(),
        );
    }
    let token = format!("at-{}", uuid::Uuid::new_v4().simple());
    state_now.tokens.insert(token.clone());
    respond(
        200,
        "application/json",
        serde_json::json!({ "access_token": token, "token_type": "Holder-of-key", "expires_in": 3600 })
            .to_string(),
    )
}

/// Step 3: the kombi request, its MeMo message checked for MeMo's required
/// elements in their order; a letter to an exempt citizen is refused.
fn kombi(
    body: &str,
    cvr: &str,
    state: &Mutex<State>,
    exempt: &HashSet<String>,
) -> hyper::Response<Body> {
    let letter = match read_letter(body, cvr) {
        Ok(letter) => letter,
        Err(why) => {
            state.lock().unwrap().refusals.push(why.clone());
            return respond(400, "application/xml", kombi_response(None, &why));
        }
    };
    if exempt.contains(&letter.cpr) {
        return respond(
            200,
            "application/xml",
            kombi_response(None, "Modtager er fritaget for Digital Post"),
        );
    }
    let id = letter.transmission_id.clone();
    state.lock().unwrap().letters.push(letter);
    respond(
        200,
        "application/xml",
        kombi_response(Some(&id), "received"),
    )
}

fn kombi_response(transmission: Option<&str>, advice: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><kombi_response><Result>{}</Result><TransmissionID>{}</TransmissionID><HovedoplysningerSvarREST><SvarReaktion><Advis><AdvisId>{}</AdvisId><AdvisTekst>{advice}</AdvisTekst></Advis></SvarReaktion></HovedoplysningerSvarREST></kombi_response>",
        transmission.is_some(),
        transmission.unwrap_or_default(),
        if transmission.is_some() { 0 } else { 1 },
    )
}

type Nodes<'a, 'i> = HashMap<String, roxmltree::Node<'a, 'i>>;

fn elements<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children().filter(|n| n.is_element()).collect()
}

/// An element's children in MeMo's order, each required one present and in
/// MeMo's namespace (others may come between, as optional ones do).
fn sequence<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    required: &[&str],
) -> Result<Nodes<'a, 'i>, String> {
    let children = elements(node);
    let mut at = 0;
    let mut found = HashMap::new();
    for name in required {
        let Some(offset) = children[at..]
            .iter()
            .position(|c| c.tag_name().name() == *name)
        else {
            return Err(format!(
                "MeMo: {} lacks {name} (or it is out of order)",
                node.tag_name().name()
            ));
        };
        let child = children[at + offset];
        if child.tag_name().namespace() != Some(MEMO_NS) {
            return Err(format!("MeMo: {name} outside MeMo's namespace"));
        }
        found.insert(name.to_string(), child);
        at += offset + 1;
    }
    Ok(found)
}

fn read_letter(body: &str, cvr: &str) -> Result<Letter, String> {
    let doc = roxmltree::Document::parse(body).map_err(|e| format!("kombi: not XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "kombi_request" {
        return Err(format!("kombi: root {}", root.tag_name().name()));
    }
    let top = elements(root);
    let code = top
        .iter()
        .find(|n| n.tag_name().name() == "KombiValgKode")
        .and_then(|n| n.text())
        .unwrap_or_default();
    if code != "Digital Post" {
        return Err(format!("kombi: KombiValgKode {code:?}"));
    }
    let message = top
        .iter()
        .find(|n| n.tag_name().name() == "Message")
        .ok_or("kombi: no MeMo Message")?;
    if message.tag_name().namespace() != Some(MEMO_NS) {
        return Err("MeMo: Message outside MeMo's namespace".into());
    }
    if message.attribute("memoVersion").is_none() {
        return Err("MeMo: no memoVersion".into());
    }
    let text = |map: &Nodes<'_, '_>, name: &str| {
        map.get(name)
            .and_then(|n| n.text())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let parts = sequence(*message, &["MessageHeader", "MessageBody"])?;
    let header = sequence(
        parts["MessageHeader"],
        &["messageType", "messageUUID", "label", "Sender", "Recipient"],
    )?;
    if text(&header, "messageType") != "DIGITALPOST" {
        return Err("MeMo: messageType".into());
    }
    let message_uuid = text(&header, "messageUUID");
    uuid::Uuid::parse_str(&message_uuid).map_err(|_| "MeMo: messageUUID".to_string())?;
    let label = text(&header, "label");
    if label.is_empty() || label.chars().count() > 250 {
        return Err("MeMo: label".into());
    }
    let sender = sequence(header["Sender"], &["senderID", "idType", "label"])?;
    if text(&sender, "senderID") != cvr || text(&sender, "idType") != "CVR" {
        return Err("MeMo: Sender is not the municipality's CVR".into());
    }
    let recipient = sequence(header["Recipient"], &["recipientID", "idType"])?;
    let cpr = text(&recipient, "recipientID");
    if cpr.len() != 10
        || !cpr.bytes().all(|b| b.is_ascii_digit())
        || text(&recipient, "idType") != "CPR"
    {
        return Err("MeMo: Recipient is not a CPR number".into());
    }
    let body = sequence(parts["MessageBody"], &["createdDateTime", "MainDocument"])?;
    chrono::DateTime::parse_from_rfc3339(&text(&body, "createdDateTime"))
        .map_err(|_| "MeMo: createdDateTime".to_string())?;
    let main = sequence(body["MainDocument"], &["File"])?;
    let file = sequence(
        main["File"],
        &["encodingFormat", "filename", "language", "content"],
    )?;
    if text(&file, "encodingFormat") != "text/html" || text(&file, "filename").is_empty() {
        return Err("MeMo: File".into());
    }
    let html = base64::engine::general_purpose::STANDARD
        .decode(text(&file, "content"))
        .map_err(|_| "MeMo: content is not base64".to_string())?;
    Ok(Letter {
        cpr,
        label,
        sender_label: text(&sender, "label"),
        message_uuid,
        html: String::from_utf8(html).map_err(|_| "MeMo: content is not UTF-8".to_string())?,
        transmission_id: uuid::Uuid::new_v4().to_string(),
    })
}
