//! The files the office hands on: the Valg Central file (who is where on the
//! day, in the configured columns) and the payroll file with the identifier
//! finance pays against and the election's totals. CPR numbers only when
//! asked for, by those allowed to see them; every file audited.

use crate::helpers::invalid;
use crate::reminders::election;
use app::domain::audit::AuditRecord;
use app::domain::cpr::CprNumber;
use reqwest::StatusCode;

/// The file's lines after its heading (the BOM and CRLFs gone).
fn lines(csv: &str) -> Vec<String> {
    csv.trim_start_matches('\u{feff}')
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn valg_central_and_payroll_files_carry_what_the_election_system_and_finance_need() {
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    // Ole is only invited: not on the day, not paid.
    e.invite(e.seats[1], "ole@example.dk", "7").await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    let station = e.app.storage.get_station(seat.station_id).await.unwrap();
    let task = seat.task_type.clone();

    // The default columns: district, station, name, birth date, task.
    let central = e.app.get_text("/exports/valg-central.csv").await;
    let rows = lines(&central);
    assert_eq!(
        rows[0],
        "Afstemningsområde nr.;Afstemningssted;Navn;Cpr-nr./fødselsdato;Funktion"
    );
    assert_eq!(
        rows[1..],
        [format!(
            "{};{};Karen Jensen;04-03-1970;{task}",
            station.district_number, station.name
        )]
    );

    // With her CPR number on record, the office may ask for it.
    let number = CprNumber::parse("cpr", "0403701234").unwrap();
    e.app.storage.set_cpr(e.karen, &number, 1).await.unwrap();
    let central = e.app.get_text("/exports/valg-central.csv").await;
    assert!(!central.contains("0403701234") && !central.contains("040370-1234"));
    let central = e.app.get_text("/exports/valg-central.csv?cpr=1").await;
    assert!(
        lines(&central)[1].contains(";Karen Jensen;040370-1234;"),
        "{central}"
    );

    // Payroll: paid against the office's payroll number, or the CPR number
    // when asked for; the election's totals last.
    let karen = e.karen.to_string();
    let (_, error) = e
        .app
        .err(
            "payroll/number",
            &[("volunteer_id", &karen), ("number", "=SUM(A1)")],
        )
        .await;
    assert_eq!(error, invalid("number", "error.payroll_number"));
    assert_eq!(e.app.storage.payroll_number(e.karen).await.unwrap(), None);
    e.app
        .ok::<()>(
            "payroll/number",
            &[("volunteer_id", &karen), ("number", " MA-1077 ")],
        )
        .await;
    let page = e.app.get_text(&format!("/volunteers/{karen}")).await;
    assert!(page.contains("value=\"MA-1077\""), "the office sees it");
    let payroll = e.app.get_text("/exports/payroll.csv").await;
    let rows = lines(&payroll);
    assert_eq!(rows[0], "Cpr-nr./lønnummer;Navn;Vagter;Beløb (kr.)");
    let paid = &rows[1];
    assert!(paid.starts_with("MA-1077;Karen Jensen;1;"), "{payroll}");
    let amount = paid.rsplit(';').next().unwrap().to_string();
    assert_eq!(rows[2], format!("I alt;1 pers.;1;{amount}"));
    assert_eq!(rows.len(), 3, "Ole is not paid: {payroll}");
    let payroll = e.app.get_text("/exports/payroll.csv?cpr=1").await;
    assert!(
        lines(&payroll)[1].starts_with("040370-1234;Karen Jensen;1;"),
        "{payroll}"
    );
    // The page sums it up too.
    let list: app::lists::ListData = e
        .app
        .ok("lists/participants", &[("query[election]", "")])
        .await;
    assert_eq!((list.payroll.people, list.payroll.shifts), (1, 1));
    assert_eq!(list.payroll.total_dkk.to_string(), amount);

    // Files with numbers are in the audit log as such.
    let exports: Vec<AuditRecord> = e
        .app
        .ok("audit/list", &[("action", "list_exported"), ("text", "")])
        .await;
    let with_numbers = exports
        .iter()
        .filter(|r| format!("{r:?}").contains("CPR numbers"))
        .count();
    assert_eq!(with_numbers, 2, "{exports:?}");

    // Nobody else: a coordinator of one area gets neither the Valg Central
    // file nor numbers; a volunteer gets nothing.
    let viewer = e
        .app
        .browser_for(
            "nord@example.dk",
            app::domain::accounts::Role::Coordinator,
            &[(app::domain::accounts::ScopeKind::Area, seat.area_id)],
        )
        .await;
    let get = |client: &reqwest::Client, path: &str| {
        let request = client.get(format!("{}{path}", e.app.base));
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(
        get(&viewer, "/exports/valg-central.csv").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&viewer, "/exports/payroll.csv?cpr=1").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(get(&viewer, "/exports/payroll.csv").await, StatusCode::OK);
    assert_eq!(
        get(&e.karen_phone, "/exports/valg-central.csv").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&e.app.client, "/exports/payroll.csv?cpr=yes").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A refused file is no export: only the coordinator's payroll file is new.
    let after: Vec<AuditRecord> = e
        .app
        .ok("audit/list", &[("action", "list_exported"), ("text", "")])
        .await;
    assert_eq!(after.len(), exports.len() + 1, "{after:?}");
}

#[tokio::test]
async fn the_municipality_chooses_the_valg_central_columns() {
    let app = crate::helpers::spawn_app_with(&[(
        "VALGVAGT_VALG_CENTRAL_COLUMNS",
        "name,birth_date,day,times,district".into(),
    )])
    .await;
    app.sign_in_admin().await;
    let open = crate::setup::open_election(&app, "Folketingsvalg", 1).await;
    let karen = app
        .storage
        .create_volunteer(&crate::storage::volunteer("karen@example.dk"))
        .await
        .unwrap();
    app.storage
        .fill_seat(
            open.seats[0],
            karen,
            app::domain::seats::SeatStatus::Accepted,
            None,
            1,
            None,
        )
        .await
        .unwrap();
    let central = app.get_text("/exports/valg-central.csv").await;
    let rows = lines(&central);
    assert_eq!(
        rows[0],
        "Navn;Fødselsdato;Dato;Tidsrum;Afstemningsområde nr."
    );
    assert!(
        rows[1].starts_with(&format!(
            "Karen Jensen;04-03-1970;{};",
            open.day.format("%d-%m-%Y")
        )),
        "{central}"
    );
}
