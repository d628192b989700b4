//! Digital Post as a channel: letters go through the loopback SF1601 peer
//! (STS → access token → kombi, each over mutual TLS), written from the
//! e-mail's words with the answer link in the MeMo body; citizens the
//! register says are exempt get the message by their next channel; failures
//! are retried by the outbox and a lapsed token is renewed.

use crate::cpr_peer::{CprPeer, Fixture, TestPki, ADULT};
use crate::digital_post_peer::DigitalPostPeer;
use crate::helpers::{client, TestApp};
use app::domain::notifications::{Channel, MessageRecord};
use app::domain::seats::SeatStatus;

const CVR: &str = "29189846";
const ANNA: &str = "0101901111";
const EXEMPT: &str = "0101902120";
/// Unknown to CPR, so nothing says they are exempt; Digital Post does.
const UNKNOWN_EXEMPT: &str = "0101902199";

struct Setup {
    app: TestApp,
    post: DigitalPostPeer,
    _cpr: CprPeer,
    _files: tempfile::TempDir,
}

/// A server with CPR and Digital Post (one system certificate for both, the
/// CVR shared), in a municipality of Slagelse (330).
async fn setup(extra: &[(&str, String)]) -> Setup {
    let pki = TestPki::new();
    let cpr = CprPeer::start(
        &pki,
        CVR,
        vec![
            ADULT,
            Fixture {
                pnr: EXEMPT,
                first: "Frida",
                digital_post: false,
                ..ADULT
            },
        ],
    )
    .await;
    let post = DigitalPostPeer::start(&pki, CVR, &[EXEMPT, UNKNOWN_EXEMPT]).await;
    let files = tempfile::tempdir().unwrap();
    let cert = files.path().join("system.pem");
    let ca = files.path().join("serviceplatformen-ca.pem");
    std::fs::write(&cert, &pki.client_pem).unwrap();
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let path = |p: &std::path::Path| p.to_string_lossy().to_string();
    let mut env = vec![
        ("VALGVAGT_MUNICIPALITY_CODE", "330".to_string()),
        ("VALGVAGT_CPR_URL", cpr.url.clone()),
        ("VALGVAGT_CPR_CVR", CVR.into()),
        ("VALGVAGT_CPR_CLIENT_CERT", path(&cert)),
        ("VALGVAGT_CPR_SERVER_CA", path(&ca)),
        ("VALGVAGT_DIGITAL_POST_URL", post.url.clone()),
        ("VALGVAGT_DIGITAL_POST_STS_URL", post.sts_url.clone()),
        (
            "VALGVAGT_DIGITAL_POST_SENDER",
            "Slagelse Kommune, Valg".into(),
        ),
    ];
    env.extend(extra.iter().cloned());
    let app = crate::helpers::spawn_app_with(&env).await;
    app.sign_in_admin().await;
    Setup {
        app,
        post,
        _cpr: cpr,
        _files: files,
    }
}

/// A person who may serve, with `number` stored (and looked up) and these
/// channels chosen.
async fn person(app: &TestApp, email: &str, number: &str, channels: &str) -> i64 {
    let id = crate::cpr::declared_eligible(app, email).await;
    app.ok::<()>(
        "cpr/save",
        &[("volunteer_id", &id.to_string()), ("cpr", number)],
    )
    .await;
    app.storage
        .set_channels(id, &Channel::parse_list(channels))
        .await
        .unwrap();
    id
}

async fn log(app: &TestApp, volunteer: i64) -> Vec<MessageRecord> {
    let log: app::notifications::MessageLog = app
        .ok("messages/list", &[("volunteer_id", &volunteer.to_string())])
        .await;
    log.messages
}

#[tokio::test]
async fn an_invitation_goes_by_digital_post_and_its_answer_link_works() {
    let s = setup(&[]).await;
    let open = crate::setup::open_election(&s.app, "Kommunalvalg", 2).await;
    let anna = person(&s.app, "anna@example.dk", ANNA, "digital_post,email").await;
    s.app.invite(open.seats[0], "anna@example.dk", "3").await;
    s.app.delivery.drain().await.unwrap();

    assert!(s.post.refusals().is_empty(), "{:?}", s.post.refusals());
    let letters = s.post.letters();
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert_eq!(letter.cpr, ANNA);
    assert_eq!(letter.sender_label, "Slagelse Kommune, Valg");
    assert!(!letter.label.is_empty());
    assert!(
        s.app.mail.to("anna@example.dk").is_empty(),
        "one channel delivers, the e-mail is not sent too"
    );

    // The letter is the e-mail's words as a page, the answer link in it.
    let at = letter.html.find("/answer/").expect("an answer link") + "/answer/".len();
    let token = &letter.html[at..at + 32];
    let response = s
        .app
        .call_with(
            &client(),
            "answers/respond",
            &[("token", token), ("answer", "accept")],
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    let seat = s.app.storage.seat_details(open.seats[0]).await.unwrap();
    assert_eq!(
        (seat.status, seat.volunteer_id),
        (SeatStatus::Accepted, Some(anna))
    );

    // The log names the channel and the transmission id.
    let messages = log(&s.app, anna).await;
    let invitation = messages.last().unwrap();
    assert_eq!(invitation.channel, Some(Channel::DigitalPost));
    assert_eq!(
        invitation.transmission_id.as_deref(),
        Some(letter.transmission_id.as_str())
    );
    let page = s.app.get_text(&format!("/messages?volunteer={anna}")).await;
    assert!(page.contains(&letter.transmission_id), "{page}");

    // The confirmation goes the same way, on the token already held.
    s.app.delivery.drain().await.unwrap();
    assert_eq!(s.post.letters().len(), 2);
    assert_eq!((s.post.calls("sts"), s.post.calls("token")), (1, 1));
    assert_ne!(s.post.letters()[1].message_uuid, letter.message_uuid);
}

#[tokio::test]
async fn exempt_citizens_get_their_messages_by_their_next_channel_and_the_office_sees_who_they_are()
{
    let s = setup(&[]).await;
    let open = crate::setup::open_election(&s.app, "Kommunalvalg", 2).await;
    // CPR says Frida is exempt: Digital Post is not even tried.
    let frida = person(&s.app, "frida@example.dk", EXEMPT, "digital_post,email").await;
    // CPR does not know Ulla; Digital Post refuses her letter.
    let ulla = person(
        &s.app,
        "ulla@example.dk",
        UNKNOWN_EXEMPT,
        "digital_post,email",
    )
    .await;
    s.app.invite(open.seats[0], "frida@example.dk", "3").await;
    s.app.invite(open.seats[1], "ulla@example.dk", "3").await;
    s.app.delivery.drain().await.unwrap();

    assert!(s.post.letters().is_empty());
    assert_eq!(s.post.calls("kombi"), 1, "only Ulla's letter was tried");
    for (id, email) in [(frida, "frida@example.dk"), (ulla, "ulla@example.dk")] {
        let mails = s.app.mail.to(email);
        assert_eq!(mails.len(), 1, "{email}");
        assert!(mails[0].decoded().contains("/answer/"));
        let messages = log(&s.app, id).await;
        assert_eq!(messages[0].channel, Some(Channel::Email), "{email}");
    }
    let ulla_message = &log(&s.app, ulla).await[0];
    assert!(
        ulla_message.last_error.is_empty(),
        "delivered in the end: {ulla_message:?}"
    );

    // The office's message log lists whom CPR says is exempt.
    let office: app::notifications::MessageLog = s.app.ok("messages/list", &[]).await;
    assert_eq!(
        office.digital_post_exempt,
        vec![(frida, "frida".to_string())]
    );
    let page = s.app.get_text("/messages").await;
    assert!(page.contains("Fritaget for Digital Post"), "{page}");

    // A group message counts who gets it by which channel.
    let reach: app::group_messages::GroupReach = s
        .app
        .ok(
            "messages/group",
            &[
                ("query[election]", &open.election.id.to_string()),
                ("text", "Husk legitimation"),
                ("send", "no"),
                ("batch", ""),
            ],
        )
        .await;
    assert_eq!((reach.email, reach.digital_post), (1, 1), "{reach:?}");
}

#[tokio::test]
async fn digital_post_failures_are_retried_and_a_lapsed_token_is_renewed() {
    let s = setup(&[]).await;
    let open = crate::setup::open_election(&s.app, "Kommunalvalg", 2).await;
    let anna = person(&s.app, "anna@example.dk", ANNA, "digital_post").await;
    s.post.busy_for(1);
    s.app.invite(open.seats[0], "anna@example.dk", "3").await;
    s.app.delivery.drain().await.unwrap();
    assert!(s.post.letters().is_empty());
    let messages = log(&s.app, anna).await;
    assert_eq!(messages[0].status, "pending");
    assert!(messages[0].last_error.contains("503"), "{messages:?}");

    // Later the service answers; the outbox tries again with the same UUID.
    let later = chrono::Utc::now().timestamp() + 3600;
    s.app.delivery.drain_at(later).await.unwrap();
    let letters = s.post.letters();
    assert_eq!(letters.len(), 1);
    assert_eq!(log(&s.app, anna).await[0].status, "sent");

    // A token the service stopped taking is replaced once, not given up on.
    s.post.expire_tokens();
    let _: app::group_messages::GroupReach = s
        .app
        .ok(
            "messages/group",
            &[
                ("query[election]", &open.election.id.to_string()),
                ("text", "Husk legitimation"),
                ("send", "yes"),
                ("batch", "dp-renew"),
            ],
        )
        .await;
    s.app.delivery.drain_at(later).await.unwrap();
    assert_eq!(s.post.letters().len(), 2);
    assert_eq!((s.post.calls("sts"), s.post.calls("token")), (2, 2));
    assert!(s
        .post
        .refusals()
        .iter()
        .all(|r| r == "no valid access token"));
}

#[tokio::test]
async fn the_municipality_may_make_digital_post_first_for_people_without_a_smartphone() {
    let s = setup(&[("VALGVAGT_DIGITAL_POST_FIRST", "true".into())]).await;
    let open = crate::setup::open_election(&s.app, "Kommunalvalg", 2).await;
    // Neither chose channels; neither has push on a phone. Birgit chose.
    let anna = person(&s.app, "anna@example.dk", ANNA, Channel::DEFAULT_LIST).await;
    let birgit = person(&s.app, "birgit@example.dk", "0101104112", "email").await;
    s.app.invite(open.seats[0], "anna@example.dk", "3").await;
    s.app.invite(open.seats[1], "birgit@example.dk", "3").await;
    s.app.delivery.drain().await.unwrap();
    assert_eq!(
        log(&s.app, anna).await[0].channel,
        Some(Channel::DigitalPost)
    );
    assert_eq!(log(&s.app, birgit).await[0].channel, Some(Channel::Email));
}
