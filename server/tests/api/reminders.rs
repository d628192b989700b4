//! Invitations, answers, and the scheduler's reminders and deadlines, run
//! at chosen moments (a controllable clock): each happens on the right day
//! and only once.

use crate::helpers::{spawn_app, TestApp};
use crate::push_service::PushService;
use crate::setup::{make_area, open_election, OpenElection};
use crate::storage::volunteer;
use app::domain::accounts::{Role, ScopeKind};
use app::domain::elections::Election;
use app::domain::notifications::{MessageKind, MessageRecord};
use app::domain::seats::SeatStatus;
use app::domain::{AppError, Id};
use app::i18n::copenhagen_to_unix;
use chrono::{Duration, NaiveDate, NaiveTime};
use reqwest::StatusCode;
use serde_json::json;

pub(crate) struct Election2 {
    pub(crate) app: TestApp,
    pub(crate) push: PushService,
    pub(crate) election: Election,
    pub(crate) day: NaiveDate,
    pub(crate) seats: Vec<Id>,
    pub(crate) karen: Id,
    pub(crate) karen_phone: reqwest::Client,
    pub(crate) ole: Id,
}

/// An active election 20 days ahead with two open seats; Karen has an
/// account with push on her phone, Ole only an email address.
pub(crate) async fn election() -> Election2 {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let OpenElection {
        election,
        day,
        seats,
        ..
    } = open_election(&app, "Kommunalvalg", 2).await;
    let karen = app
        .storage
        .create_volunteer(&volunteer("karen@example.dk"))
        .await
        .unwrap();
    let user = app
        .storage
        .ensure_user_with_role("karen@example.dk", "Karen", Role::Volunteer)
        .await
        .unwrap();
    app.storage.link_volunteer(user, karen).await.unwrap();
    let karen_phone = app
        .browser_for("karen@example.dk", Role::Volunteer, &[])
        .await;
    let push = PushService::start().await;
    let device = push.subscribe("karen");
    let response = app
        .call_json(
            &karen_phone,
            "push/subscribe",
            &json!({ "subscription": { "endpoint": device.endpoint,
                "keys": { "p256dh": device.p256dh, "auth": device.auth }, "device_name": "Telefon" } }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut ole = volunteer("ole@example.dk");
    ole.name = "Ole Hansen".into();
    let ole = app.storage.create_volunteer(&ole).await.unwrap();
    Election2 {
        app,
        push,
        election,
        day,
        seats,
        karen,
        karen_phone,
        ole,
    }
}

impl Election2 {
    /// Ole gets an account and signs in on his phone.
    pub(crate) async fn ole_phone(&self) -> reqwest::Client {
        let user = self
            .app
            .storage
            .ensure_user_with_role("ole@example.dk", "Ole", Role::Volunteer)
            .await
            .unwrap();
        self.app
            .storage
            .link_volunteer(user, self.ole)
            .await
            .unwrap();
        self.app
            .browser_for("ole@example.dk", Role::Volunteer, &[])
            .await
    }

    /// Karen is invited to `seat` and says yes on her phone.
    pub(crate) async fn karen_accepts(&self, seat: Id) {
        self.invite(seat, "karen@example.dk", "7").await;
        self.karen_answers(seat, "accept").await;
    }

    /// Karen answers her invitation to `seat` on her phone.
    pub(crate) async fn karen_answers(&self, seat: Id, answer: &str) {
        self.app
            .ok_with::<()>(
                &self.karen_phone,
                "shifts/answer",
                &[("seat_id", &seat.to_string()), ("answer", answer)],
            )
            .await;
    }

    pub(crate) async fn invite(&self, seat: Id, email: &str, days: &str) {
        self.app.invite(seat, email, days).await;
    }

    async fn messages(&self, volunteer: Id) -> Vec<MessageRecord> {
        self.app
            .ok::<app::notifications::MessageLog>(
                "messages/list",
                &[("volunteer_id", &volunteer.to_string())],
            )
            .await
            .messages
    }

    pub(crate) async fn kinds(&self, volunteer: Id) -> Vec<MessageKind> {
        let mut kinds: Vec<MessageKind> = self
            .messages(volunteer)
            .await
            .into_iter()
            .map(|m| m.kind)
            .collect();
        kinds.reverse();
        kinds
    }

    /// Danish wall-clock time on a day relative to the shift.
    fn at(&self, days_before: i64, hour: u32, minute: u32) -> i64 {
        copenhagen_to_unix(
            self.day - Duration::days(days_before),
            NaiveTime::from_hms_opt(hour, minute, 0).unwrap(),
        )
    }
}

#[tokio::test]
async fn an_invitation_is_pushed_reminded_answered_and_the_shift_reminded_once_each() {
    let e = election().await;
    let now = chrono::Utc::now().timestamp();
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    e.app.delivery.drain().await.unwrap();
    let pushed = e.push.received();
    assert_eq!(pushed.len(), 1);
    let invitation = &pushed[0].payload;
    assert!(invitation["title"]
        .as_str()
        .unwrap()
        .starts_with("Invitation: Tilforordnet"));
    assert!(
        invitation["body"].as_str().unwrap().contains("Nordskolen"),
        "{invitation}"
    );
    assert_eq!(invitation["seat_id"], e.seats[0]);
    assert_eq!(invitation["tag"], format!("seat-{}", e.seats[0]));
    assert_eq!(invitation["actions"][0]["action"], "accept");
    assert_eq!(invitation["actions"][0]["title"], "Ja tak");
    // A tap opens Karen's own answer page; its buttons answer with the token.
    let token = invitation["answer"].as_str().expect("an answer token");
    assert!(invitation["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/answer/{token}")));

    // Nothing is due before three days have passed …
    let report = e.app.scheduler.run(now + 2 * 86_400).await.unwrap();
    assert_eq!(report.reminders, 0);
    // … then one reminder, however often the scheduler runs.
    for _ in 0..3 {
        e.app.scheduler.run(now + 3 * 86_400 + 60).await.unwrap();
    }
    e.app
        .delivery
        .drain_at(now + 3 * 86_400 + 60)
        .await
        .unwrap();
    assert_eq!(
        e.kinds(e.karen).await,
        vec![MessageKind::Invitation, MessageKind::InvitationReminder]
    );
    let reminder = &e.push.received()[1].payload;
    assert!(reminder["body"]
        .as_str()
        .unwrap()
        .contains("endnu ikke svaret"));

    // Karen accepts from her phone; the confirmation follows.
    e.app
        .ok_with::<()>(
            &e.karen_phone,
            "shifts/answer",
            &[("seat_id", &e.seats[0].to_string()), ("answer", "accept")],
        )
        .await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(seat.status, SeatStatus::Accepted);
    // No more invitation reminders once answered.
    e.app.scheduler.run(now + 6 * 86_400 + 60).await.unwrap();

    // Two days before at 09:00, and on the morning at 06:00; each once.
    assert_eq!(
        e.app.scheduler.run(e.at(2, 8, 59)).await.unwrap().reminders,
        0
    );
    for _ in 0..2 {
        e.app.scheduler.run(e.at(2, 9, 1)).await.unwrap();
        e.app.scheduler.run(e.at(0, 6, 1)).await.unwrap();
    }
    // Not after the shift has begun.
    assert_eq!(
        e.app.scheduler.run(e.at(0, 7, 1)).await.unwrap().reminders,
        0
    );
    e.app.delivery.drain_at(e.at(0, 7, 1)).await.unwrap();
    assert_eq!(
        e.kinds(e.karen).await,
        vec![
            MessageKind::Invitation,
            MessageKind::InvitationReminder,
            MessageKind::RegistrationConfirmation,
            MessageKind::ShiftReminder,
            MessageKind::ShiftReminder,
        ]
    );
    assert!(e.messages(e.karen).await.iter().all(|m| m.status == "sent"));
    let received = e.push.received();
    let last = &received.last().unwrap().payload;
    assert_eq!(
        last["tag"],
        format!("seat-{}", e.seats[0]),
        "reminders of one seat replace each other"
    );
    assert_eq!(last["actions"], json!([]));
}

#[tokio::test]
async fn an_unanswered_invitation_expires_at_its_deadline_and_frees_the_seat() {
    let e = election().await;
    let now = chrono::Utc::now().timestamp();
    e.invite(e.seats[1], "ole@example.dk", "1").await;
    // Before the deadline it stands.
    assert_eq!(
        e.app
            .scheduler
            .run(now + 86_400 - 120)
            .await
            .unwrap()
            .expired,
        0
    );
    for _ in 0..2 {
        e.app.scheduler.run(now + 86_400 + 60).await.unwrap();
    }
    let seat = e.app.storage.seat_details(e.seats[1]).await.unwrap();
    assert_eq!(seat.status, SeatStatus::Open);
    assert_eq!(seat.volunteer_id, None);
    e.app.delivery.drain_at(now + 86_400 + 60).await.unwrap();
    assert_eq!(
        e.kinds(e.ole).await,
        vec![MessageKind::Invitation, MessageKind::InvitationExpired]
    );
    // Ole has no push: both came by email.
    let mails = e.app.mail.to("ole@example.dk");
    assert_eq!(mails.len(), 2);
    assert!(
        mails
            .iter()
            .any(|m| m.decoded().contains("Svarfristen for invitationen")),
        "no mail says the invitation expired"
    );
    let history: Vec<(String,)> = sql!(e.app, |db| sqlx::query_as(
        "SELECT event FROM seat_history WHERE seat_id = $1"
    )
    .bind(e.seats[1])
    .fetch_all(db)
    .await
    .unwrap());
    assert_eq!(history, vec![("expired".to_string(),)]);
}

#[tokio::test]
async fn inactive_elections_and_task_types_without_reminders_stay_quiet() {
    let e = election().await;
    let now = chrono::Utc::now().timestamp();
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    e.app
        .ok::<()>(
            "elections/activate",
            &[("id", &e.election.id.to_string()), ("active", "false")],
        )
        .await;
    let report = e.app.scheduler.run(now + 10 * 86_400).await.unwrap();
    assert_eq!(
        report,
        Default::default(),
        "nothing for an inactive election"
    );
    assert_eq!(
        e.app.storage.seat_details(e.seats[0]).await.unwrap().status,
        SeatStatus::Invited,
        "no expiry either"
    );
}

#[tokio::test]
async fn only_the_invited_person_answers_and_only_coordinators_of_the_area_invite() {
    let e = election().await;
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    let seat = e.seats[0].to_string();
    // Ole, signed in, cannot answer Karen's invitation.
    let ole = e.ole_phone().await;
    let (status, _) = e
        .app
        .err_with(
            &ole,
            "shifts/answer",
            &[("seat_id", &seat), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A made-up answer is refused and changes nothing.
    let (_, error) = e
        .app
        .err_with(
            &e.karen_phone,
            "shifts/answer",
            &[("seat_id", &seat), ("answer", "maybe")],
        )
        .await;
    assert_eq!(
        error,
        crate::helpers::invalid("answer", "error.unknown_choice")
    );
    // Karen declines with a reason; the seat opens and the reason is kept.
    e.app
        .ok_with::<()>(
            &e.karen_phone,
            "shifts/answer",
            &[("seat_id", &seat), ("answer", "decline"), ("reason", "Syg")],
        )
        .await;
    let reason: String = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT reason FROM seat_history WHERE seat_id = $1 AND event = 'declined'",
    )
    .bind(e.seats[0])
    .fetch_one(db)
    .await
    .unwrap());
    assert_eq!(reason, "Syg");
    let (status, error) = e
        .app
        .err_with(
            &e.karen_phone,
            "shifts/answer",
            &[("seat_id", &seat), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{error:?}");

    // A coordinator of another area cannot invite here; unknown people neither.
    let other = make_area(&e.app, "Syd").await;
    let coordinator = e
        .app
        .browser_for(
            "syd@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, other.id)],
        )
        .await;
    let (status, _) = e
        .app
        .err_with(
            &coordinator,
            "shifts/invite",
            &[
                ("seat_id", &seat),
                ("email", "karen@example.dk"),
                ("respond_days", "7"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, error) = e
        .app
        .err(
            "shifts/invite",
            &[
                ("seat_id", &seat),
                ("email", "nobody@example.dk"),
                ("respond_days", "7"),
            ],
        )
        .await;
    assert_eq!(
        error,
        AppError::invalid("email", "shifts.no_such_volunteer")
    );
    let (_, error) = e
        .app
        .err(
            "shifts/invite",
            &[
                ("seat_id", &seat),
                ("email", "karen@example.dk"),
                ("respond_days", "90"),
            ],
        )
        .await;
    assert!(matches!(error, AppError::Invalid { field, .. } if field == "respond_days"));
}

#[tokio::test]
async fn coordinators_reword_messages_per_election_and_task_type_and_unknown_fields_are_refused() {
    use app::templates::TemplateEditor;
    let e = election().await;
    let election = e.election.id.to_string();
    let task = e
        .app
        .storage
        .seat_details(e.seats[0])
        .await
        .unwrap()
        .task_type_id
        .to_string();
    let form = |task: &'static str, subject: &'static str, body: &'static str| {
        vec![
            ("election_id".to_string(), election.clone()),
            ("kind".into(), "invitation".into()),
            ("channel".into(), "email".into()),
            ("language".into(), "da".into()),
            (
                "task_type_id".into(),
                if task.is_empty() {
                    String::new()
                } else {
                    task.to_string()
                },
            ),
            ("subject".into(), subject.to_string()),
            ("body".into(), body.to_string()),
        ]
    };
    // An unknown field is refused, and nothing is stored.
    let refused = save(
        &e.app,
        form("", "Vil du hjælpe, {name}?", "Mød op på {valgsted}."),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let error: AppError = refused.json().await.unwrap();
    assert_eq!(
        error,
        AppError::Refused {
            key: "templates.unknown_placeholder.body".into(),
            arg: Some("valgsted".into())
        }
    );
    let editor: TemplateEditor = e
        .app
        .ok(
            "templates/editor",
            &[
                ("election_id", &election),
                ("kind", "invitation"),
                ("channel", "email"),
                ("language", "da"),
            ],
        )
        .await;
    assert!(editor.all.is_empty());
    assert!(
        editor.current.body.starts_with("Hej {name}"),
        "the default text"
    );

    // The election's own wording is used for the next invitation.
    let saved = save(
        &e.app,
        form(
            "",
            "Vil du hjælpe, {name}?",
            "Kom til {station} {date}. Svar: {shift_url}",
        ),
    )
    .await;
    assert!(
        saved.status().is_success(),
        "{}",
        saved.text().await.unwrap()
    );
    e.invite(e.seats[1], "ole@example.dk", "7").await;
    e.app.delivery.drain().await.unwrap();
    let mail = e.app.mail.to("ole@example.dk").pop().unwrap().decoded();
    assert!(mail.contains("Kom til Nordskolen"), "{mail}");
    assert!(mail.contains("Subject: Vil du"), "{mail}");

    // A task type's own wording wins over the election's.
    let mut task_form = form("", "Tilforordnet søges", "Særlig tekst for {task_type}.");
    task_form[4].1 = task.clone();
    assert!(save(&e.app, task_form).await.status().is_success());
    let editor = invitation_email_editor(&e.app, &election, &task).await;
    assert_eq!(editor.current.body, "Særlig tekst for {task_type}.");
    assert_eq!(editor.all.len(), 2);
    // Reset: back to the election's wording for that task type.
    let id = editor.stored.unwrap().id.to_string();
    e.app
        .ok::<()>(
            "templates/delete",
            &[("election_id", &election), ("id", &id)],
        )
        .await;
    let editor = invitation_email_editor(&e.app, &election, &task).await;
    assert!(editor.current.body.starts_with("Kom til {station}"));
}

async fn save(app: &TestApp, fields: Vec<(String, String)>) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.call("templates/save", &pairs).await
}

async fn invitation_email_editor(
    app: &TestApp,
    election: &str,
    task: &str,
) -> app::templates::TemplateEditor {
    app.ok(
        "templates/editor",
        &[
            ("election_id", election),
            ("kind", "invitation"),
            ("channel", "email"),
            ("language", "da"),
            ("task_type_id", task),
        ],
    )
    .await
}
