use crate::helpers::{client, spawn_app};
use app::domain::accounts::{CurrentUser, Role};
use app::domain::audit::AuditRecord;
use app::domain::AppError;
use reqwest::StatusCode;

#[tokio::test]
async fn sign_ins_and_failed_sign_ins_are_audited_for_administrators_only() {
    let app = spawn_app().await;
    let (status, _) = app
        .err("auth/sign_in_with_link", &[("token", "gaet-et-link")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.sign_in_admin().await;

    let all: Vec<AuditRecord> = app.ok("audit/list", &[("action", ""), ("text", "")]).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].action, "sign_in");
    assert_eq!(all[0].actor, "admin@example.dk");
    assert_eq!(all[0].subject, "link");
    assert_eq!(all[0].ip, "127.0.0.1");
    assert_eq!(all[1].action, "sign_in_failed");
    assert_eq!(all[1].actor, "");

    let failed: Vec<AuditRecord> = app
        .ok("audit/list", &[("action", "sign_in_failed"), ("text", "")])
        .await;
    assert_eq!(failed.len(), 1);
    let searched: Vec<AuditRecord> = app
        .ok("audit/list", &[("action", ""), ("text", "admin@")])
        .await;
    assert_eq!(searched.len(), 1);
    let (status, error) = app
        .err("audit/list", &[("action", "drop table"), ("text", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error,
        crate::helpers::invalid("action", "error.unknown_choice")
    );

    // A coordinator plans elections but does not read the audit log.
    let coordinator = app.browser_as(Role::Coordinator).await;
    let response = coordinator
        .post(format!("{}/api/audit/list", app.base))
        .form(&[("action", ""), ("text", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.json::<AppError>().await.unwrap(),
        AppError::Forbidden
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_the_other_devices_sessions() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    // The same person on a second device.
    let tablet = client();
    let link = app.admin_link("admin@example.dk").await;
    app.sign_in(&tablet, &link).await;
    let who = |c: reqwest::Client| {
        let url = format!("{}/api/auth/who_am_i", app.base);
        async move {
            c.post(url)
                .send()
                .await
                .unwrap()
                .json::<Option<CurrentUser>>()
                .await
                .unwrap()
        }
    };
    assert!(who(tablet.clone()).await.is_some());

    app.ok::<()>("auth/sign_out_everywhere", &[]).await;
    assert!(who(tablet.clone()).await.is_none());
    assert!(who(app.client.clone()).await.is_none());
    let records = app.storage.list_audit(None, "", 10).await.unwrap();
    assert_eq!(records[0].action, "sign_out_everywhere");
}

#[tokio::test]
async fn every_look_at_contact_data_is_audited_and_a_look_without_it_is_not() {
    use app::lists::ListData;
    use app::rosters::RosterData;
    use app::teams::TeamMembersData;
    use app::volunteers::VolunteerProfile;
    let e = crate::reminders::election().await;
    e.karen_accepts(e.seats[0]).await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    e.app
        .storage
        .add_team_member(seat.team_id, e.karen, true)
        .await
        .unwrap();
    let app = &e.app;
    let views = || async {
        let lines: Vec<AuditRecord> = app
            .ok("audit/list", &[("action", "contact_viewed"), ("text", "")])
            .await;
        let mut subjects: Vec<String> = lines.into_iter().map(|l| l.subject).collect();
        subjects.sort();
        subjects
    };
    assert!(views().await.is_empty());
    // A list of names only shows no contact data, and leaves no line.
    let _: ListData = app
        .ok("lists/participants", &[("query[columns]", "name")])
        .await;
    assert!(views().await.is_empty());

    let (karen, station, team) = (
        e.karen.to_string(),
        seat.station_id.to_string(),
        seat.team_id.to_string(),
    );
    let _: VolunteerProfile = app.ok("volunteers/get", &[("id", &karen)]).await;
    let _: RosterData = app.ok("rosters/station", &[("station_id", &station)]).await;
    let _: TeamMembersData = app.ok("teams/members", &[("team_id", &team)]).await;
    let _: ListData = app
        .ok("lists/participants", &[("query[columns]", "name,phone")])
        .await;
    let mut expected = vec![
        "participants (view)".to_string(),
        format!("station {station}"),
        format!("team {team}"),
        format!("volunteer {karen}"),
    ];
    expected.sort();
    assert_eq!(views().await, expected);
}
