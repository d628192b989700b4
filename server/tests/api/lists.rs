//! Participant lists and their files: the chosen columns and filters, a
//! CSV that Danish spreadsheets open, an XLSX that a real reader opens,
//! payroll per person; contact data only for the office; all audited.

use crate::helpers::client;
use crate::reminders::election;
use app::domain::audit::AuditRecord;
use app::domain::lists::Column;
use app::lists::ListData;
use calamine::{Data, Reader};
use reqwest::StatusCode;

#[tokio::test]
async fn lists_show_and_export_the_chosen_people_and_columns() {
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    e.invite(e.seats[1], "ole@example.dk", "7").await;

    let list: ListData = e
        .app
        .ok(
            "lists/participants",
            &[("query[columns]", "name,status,payment")],
        )
        .await;
    assert_eq!(list.total, 2);
    assert_eq!(
        list.columns,
        vec![Column::Name, Column::Status, Column::Payment]
    );
    assert!(list.rows.iter().any(|r| r[1] == "Accepteret"));
    assert!(list.rows.iter().any(|r| r[1] == "Inviteret"));

    // CSV with semicolons and a BOM.
    let url = |file: &str, query: &str| format!("{}/exports/{file}?{query}", e.app.base);
    let csv = e
        .app
        .client
        .get(url("participants.csv", "columns=name%2Cemail%2Cstatus"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("\u{feff}Navn;E-mail;Status\r\n"), "{text}");
    assert!(text.contains("karen@example.dk;Accepteret"), "{text}");
    assert_eq!(text.lines().count(), 3);

    // XLSX, read back with calamine, filtered to the accepted.
    let xlsx = e
        .app
        .client
        .get(url(
            "participants.xlsx",
            "status=accepted&columns=name%2Cdate%2Cpayment",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Deltagere").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 2, "a heading and the one accepted");
    assert_eq!(rows[0][0], Data::String("Navn".into()));
    assert_eq!(rows[1][0], Data::String("Karen Jensen".into()));
    assert!(matches!(rows[1][1], Data::DateTime(_)), "{:?}", rows[1][1]);
    assert!(matches!(rows[1][2], Data::Float(_)), "{:?}", rows[1][2]);

    // Payroll: one line per person with accepted shifts.
    let payroll = e
        .app
        .client
        .get(url("payroll.csv", ""))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        payroll.lines().count(),
        3,
        "heading, Karen, totals: {payroll}"
    );
    assert!(payroll.contains(";Karen Jensen;1;"), "{payroll}");

    // Only the office; contact columns only for those who see all contacts.
    let status = client()
        .get(url("participants.csv", ""))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let status = e
        .karen_phone
        .get(url("participants.csv", ""))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A coordinator of one area sees contact data through its rosters only.
    let area = {
        e.app
            .storage
            .seat_details(e.seats[0])
            .await
            .unwrap()
            .area_id
    };
    let viewer = e
        .app
        .browser_for(
            "nord@example.dk",
            app::domain::accounts::Role::Coordinator,
            &[(app::domain::accounts::ScopeKind::Area, area)],
        )
        .await;
    let status = viewer
        .get(url("participants.csv", "columns=name%2Cphone"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let status = viewer
        .get(url("participants.csv", "columns=name"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);

    let log: Vec<AuditRecord> = e
        .app
        .ok("audit/list", &[("action", "list_exported"), ("text", "")])
        .await;
    assert_eq!(log.len(), 4, "every file is in the audit log");
}

#[tokio::test]
async fn a_message_to_the_listed_group_is_previewed_with_channel_counts_then_sent_once_each() {
    use app::domain::accounts::{Role, ScopeKind};
    use app::domain::notifications::MessageKind;
    use app::domain::AppError;
    use app::group_messages::GroupReach;
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    e.invite(e.seats[1], "ole@example.dk", "7").await;
    let area = e
        .app
        .storage
        .seat_details(e.seats[0])
        .await
        .unwrap()
        .area_id;
    let form = |status: &'static str, text: &'static str, send: &'static str| {
        vec![
            ("query[status]", status),
            ("query[columns]", "name"),
            ("text", text),
            ("send", send),
            ("batch", "b1"),
        ]
    };
    let (_, error) = e.app.err("messages/group", &form("", " ", "")).await;
    assert_eq!(error, AppError::invalid("text", "error.required"));
    let reach: GroupReach = e
        .app
        .ok("messages/group", &form("", "Husk madpakken", ""))
        .await;
    assert_eq!(
        (reach.recipients, reach.push, reach.email, reach.sms),
        (2, 1, 1, 0),
        "Karen has push on her phone, Ole only email"
    );
    assert!(reach.sample.contains("Husk madpakken"));
    assert!(!reach.sent);
    let outbox = || async {
        sql!(e.app, |db| sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM outbox WHERE kind = 'free_text'"
        )
        .fetch_one(db)
        .await
        .unwrap())
    };
    assert_eq!(outbox().await, 0, "a preview sends nothing");

    // Those who accepted only.
    let sent: GroupReach = e
        .app
        .ok("messages/group", &form("accepted", "Husk madpakken", "yes"))
        .await;
    assert!(sent.sent);
    assert_eq!(sent.recipients, 1);
    assert_eq!(outbox().await, 1);
    // The same batch again (a double tap) reaches nobody twice.
    let _: GroupReach = e
        .app
        .ok("messages/group", &form("accepted", "Husk madpakken", "yes"))
        .await;
    assert_eq!(outbox().await, 1);
    assert!(e.kinds(e.karen).await.contains(&MessageKind::FreeText));
    assert!(!e.kinds(e.ole).await.contains(&MessageKind::FreeText));

    // A coordinator limited to an area must stay inside it; a team leader
    // may not write to groups at all.
    let limited = e
        .app
        .browser_for(
            "nord@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, area)],
        )
        .await;
    let (_, error) = e
        .app
        .err_with(&limited, "messages/group", &form("", "Hej", ""))
        .await;
    assert_eq!(error, AppError::invalid("area", "group.choose_area"));
    let area = area.to_string();
    let mut inside = form("", "Hej", "");
    inside.push(("query[area]", &area));
    let reach: GroupReach = e.app.ok_with(&limited, "messages/group", &inside).await;
    assert_eq!(reach.recipients, 2);
    let leader = e.app.browser_as(Role::TeamLeader).await;
    let (status, _) = e
        .app
        .err_with(&leader, "messages/group", &form("", "Hej", ""))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
