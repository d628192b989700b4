//! CPR lookups through the SF1520 client against the loopback peer: every
//! kind of person the register can answer, its faults, and TLS that fails
//! closed without the right certificates.

use crate::cpr_peer::{CprPeer, Fixture, TestPki, ADULT, FAULTY_PNR};
use app::domain::cpr::{CprNumber, Standing};
use app::server::cpr::{LookupError, PersonRegister};
use valgvagt_server::integrations::cpr::{Sf1520, Sf1520Settings, ACTION};

const CVR: &str = "29189846";

fn settings(peer: &CprPeer, pki: &TestPki) -> Sf1520Settings {
    Sf1520Settings {
        url: peer.url.clone(),
        municipality_cvr: CVR.into(),
        client_pem: pki.client_pem.clone(),
        server_ca_pem: Some(pki.ca_pem.clone()),
        timeout: std::time::Duration::from_secs(10),
    }
}

fn number(raw: &str) -> CprNumber {
    CprNumber::parse("cpr", raw).unwrap()
}

fn people() -> Vec<Fixture> {
    let like = |pnr, first| Fixture {
        pnr,
        first,
        ..ADULT
    };
    vec![
        ADULT,
        Fixture {
            born: "2010-01-01",
            ..like("0101104112", "Mini")
        },
        Fixture {
            country: "5180",
            ..like("0101902113", "Ingrid")
        },
        Fixture {
            municipality: Some("101"),
            ..like("0101902114", "Kim")
        },
        Fixture {
            under_guardianship: true,
            ..like("0101902115", "Vera")
        },
        Fixture {
            status: "70",
            municipality: None,
            ..like("0101902116", "Forsvundet")
        },
        Fixture {
            status: "80",
            municipality: None,
            ..like("0101902117", "Udrejst")
        },
        Fixture {
            status: "90",
            ..like("0101902118", "Død")
        },
        Fixture {
            protected: true,
            ..like("0101902119", "Beskyttet")
        },
        Fixture {
            digital_post: false,
            ..like("0101902120", "Fritaget")
        },
        Fixture {
            status: "03",
            municipality: None,
            ..like("0101902121", "Uden")
        },
    ]
}

#[tokio::test]
async fn each_kind_of_person_reads_as_the_register_has_them() {
    let pki = TestPki::new();
    let peer = CprPeer::start(&pki, CVR, people()).await;
    let cpr = Sf1520::new(settings(&peer, &pki)).unwrap();

    let anna = cpr.look_up(&number("010190-1111")).await.unwrap();
    assert_eq!(anna.name, "Anna Andersen");
    assert_eq!(anna.birth_date, chrono::NaiveDate::from_ymd_opt(1990, 1, 1));
    assert_eq!(anna.standing(), Standing::Resident);
    assert!(anna.danish());
    assert_eq!(
        anna.municipality.as_deref(),
        Some("0330"),
        "padded to four digits"
    );
    assert!(!anna.under_guardianship && !anna.address_protected && anna.digital_post);
    let address = anna.address.unwrap();
    assert_eq!(
        (
            address.street.as_str(),
            address.postal_code.as_str(),
            address.city.as_str()
        ),
        ("Skolevej 12, 1. th", "4200", "Slagelse")
    );

    let look = |raw: &'static str| {
        let cpr = &cpr;
        async move { cpr.look_up(&number(raw)).await.unwrap() }
    };
    let minor = look("0101104112").await;
    assert_eq!(
        minor.birth_date,
        chrono::NaiveDate::from_ymd_opt(2010, 1, 1)
    );
    let foreign = look("0101902113").await;
    assert_eq!(foreign.citizenship.as_deref(), Some("5180"));
    assert!(!foreign.danish());
    assert_eq!(
        look("0101902114").await.municipality.as_deref(),
        Some("0101")
    );
    assert!(look("0101902115").await.under_guardianship);
    let missing = look("0101902116").await;
    assert_eq!(
        (missing.standing(), missing.address),
        (Standing::Missing, None)
    );
    let emigrated = look("0101902117").await;
    assert_eq!(emigrated.standing(), Standing::Emigrated);
    assert_eq!((emigrated.municipality, emigrated.address), (None, None));
    assert_eq!(look("0101902118").await.standing(), Standing::Dead);
    assert!(look("0101902119").await.address_protected);
    assert!(!look("0101902120").await.digital_post);
    let without = look("0101902121").await;
    assert_eq!(
        (without.standing(), without.address),
        (Standing::Resident, None)
    );

    // Nobody by that number; a fault from the platform.
    assert_eq!(
        cpr.look_up(&number("0101902199")).await,
        Err(LookupError::NotFound)
    );
    assert_eq!(
        cpr.look_up(&number(FAULTY_PNR)).await,
        Err(LookupError::Refused {
            code: "CPR-0042".into(),
            text: "Opslaget kunne ikke gennemføres".into()
        })
    );

    // Every request named the municipality and the person, with the action.
    let seen = peer.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 13);
    assert!(
        seen.iter().all(|s| s.action == ACTION && s.cvr == CVR),
        "{seen:?}"
    );
    assert_eq!(seen[0].pnr, "0101901111");
}

#[tokio::test]
async fn a_municipality_without_an_agreement_is_refused() {
    let pki = TestPki::new();
    let peer = CprPeer::start(&pki, CVR, people()).await;
    let cpr = Sf1520::new(Sf1520Settings {
        municipality_cvr: "11223344".into(),
        ..settings(&peer, &pki)
    })
    .unwrap();
    assert!(matches!(
        cpr.look_up(&number("0101901111")).await,
        Err(LookupError::Refused { code, .. }) if code == "SP-AUTH-002"
    ));
}

#[tokio::test]
async fn without_the_right_certificates_nothing_is_asked_and_nothing_is_believed() {
    let pki = TestPki::new();
    let peer = CprPeer::start(&pki, CVR, people()).await;
    // No certificate at all: the server does not start with it.
    let none = Sf1520::new(Sf1520Settings {
        client_pem: Vec::new(),
        ..settings(&peer, &pki)
    });
    assert!(none.is_err());
    let error = none.err().unwrap().to_string();
    assert!(error.contains("client certificate"), "{error}");

    // A certificate the service does not trust: the handshake fails, and
    // the error says so (it goes to the log) without the number.
    let stranger = Sf1520::new(Sf1520Settings {
        client_pem: pki.stranger_pem.clone(),
        ..settings(&peer, &pki)
    })
    .unwrap();
    match stranger.look_up(&number("0101901111")).await {
        Err(LookupError::Unavailable(why)) => {
            assert!(why.contains(&peer.url), "{why}");
            assert!(!why.contains("0101901111"), "{why}");
        }
        other => panic!("expected a failed handshake, got {other:?}"),
    }
    assert_eq!(*peer.refused.lock().unwrap(), 1);

    // A service whose certificate does not chain to the configured CA.
    let spoofed = Sf1520::new(Sf1520Settings {
        server_ca_pem: Some(pki.stranger_ca_pem.clone()),
        ..settings(&peer, &pki)
    })
    .unwrap();
    assert!(matches!(
        spoofed.look_up(&number("0101901111")).await,
        Err(LookupError::Unavailable(_))
    ));
    // ... nor plain HTTP.
    let plain = Sf1520::new(Sf1520Settings {
        url: peer.url.replace("https://", "http://"),
        ..settings(&peer, &pki)
    })
    .unwrap();
    assert!(matches!(
        plain.look_up(&number("0101901111")).await,
        Err(LookupError::Unavailable(_))
    ));
    assert!(
        peer.seen.lock().unwrap().is_empty(),
        "no request got through"
    );
}

#[test]
fn a_certificate_that_cannot_be_read_keeps_the_server_from_starting() {
    use valgvagt_server::config::CprSettings;
    let mut settings = CprSettings {
        url: "https://cpr.example/service/CPR/PersonBaseDataExtended/5".into(),
        municipality_cvr: CVR.into(),
        client_cert: "/nonexistent/system.pem".into(),
        server_ca: None,
        timeout_seconds: 10,
        recheck_days: 7,
        recheck_minutes: 10,
        recheck_batch: 100,
    };
    let error = Sf1520::from_config(&settings).err().unwrap().to_string();
    assert!(
        error.contains("VALGVAGT_CPR_CLIENT_CERT /nonexistent/system.pem"),
        "{error}"
    );
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("system.pem");
    std::fs::write(&not_pem, "not a certificate").unwrap();
    settings.client_cert = not_pem;
    let error = Sf1520::from_config(&settings).err().unwrap().to_string();
    assert!(error.contains("client certificate"), "{error}");
    // A CVR number is eight digits.
    let pki = TestPki::new();
    let pem = dir.path().join("good.pem");
    std::fs::write(&pem, &pki.client_pem).unwrap();
    settings.client_cert = pem;
    assert!(Sf1520::from_config(&settings).is_ok());
    settings.municipality_cvr = "2918984".into();
    let error = Sf1520::from_config(&settings).err().unwrap().to_string();
    assert!(error.contains("CVR must be 8 digits"), "{error}");
}

/// A server whose municipality (Slagelse, 330) looks people up at the peer.
async fn app_looking_up_at(
    peer: &CprPeer,
    pki: &TestPki,
) -> (crate::helpers::TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("system.pem");
    let ca = dir.path().join("serviceplatformen-ca.pem");
    std::fs::write(&cert, &pki.client_pem).unwrap();
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let path = |p: &std::path::Path| p.to_string_lossy().to_string();
    let app = crate::helpers::spawn_app_with(&[
        ("VALGVAGT_MUNICIPALITY_CODE", "330".into()),
        ("VALGVAGT_CPR_URL", peer.url.clone()),
        ("VALGVAGT_CPR_CVR", CVR.into()),
        ("VALGVAGT_CPR_CLIENT_CERT", path(&cert)),
        ("VALGVAGT_CPR_SERVER_CA", path(&ca)),
    ])
    .await;
    app.sign_in_admin().await;
    (app, dir)
}

/// A person who declares themself an adult Dane living in the municipality.
pub(crate) async fn declared_eligible(app: &crate::helpers::TestApp, email: &str) -> i64 {
    let mut person = crate::storage::volunteer(email);
    person.name = email.split('@').next().unwrap_or_default().to_string();
    person.municipality_code = "330".into();
    app.storage.create_volunteer(&person).await.unwrap()
}

#[tokio::test]
async fn the_office_stores_a_number_and_cpr_decides_who_may_take_a_seat() {
    use crate::helpers::invalid;
    use app::domain::audit::AuditRecord;
    use app::domain::AppError;
    let pki = TestPki::new();
    let peer = CprPeer::start(&pki, CVR, people()).await;
    let (app, _files) = app_looking_up_at(&peer, &pki).await;
    // A general election: adult Danes living here, not under guardianship.
    let open = crate::setup::open_election(&app, "Folketingsvalg", 2).await;
    let seat = open.seats[0].to_string();

    // Everyone declared themself eligible; CPR knows better of some.
    let anna = declared_eligible(&app, "anna@example.dk").await;
    let kim = declared_eligible(&app, "kim@example.dk").await;
    let vera = declared_eligible(&app, "vera@example.dk").await;
    let dead = declared_eligible(&app, "doed@example.dk").await;
    let unknown = declared_eligible(&app, "ukendt@example.dk").await;
    let candidates = || {
        let (app, seat) = (&app, seat.clone());
        async move {
            let data: app::candidates::CandidatesData =
                app.ok("candidates/list", &[("seat_id", &seat)]).await;
            data.candidates
                .iter()
                .map(|c| c.volunteer_id)
                .collect::<Vec<_>>()
        }
    };
    let before = candidates().await;
    for id in [anna, kim, vera, dead, unknown] {
        assert!(before.contains(&id), "by their declarations all may serve");
    }

    // A malformed number is refused and nothing is stored or asked.
    let kim_id = kim.to_string();
    let (_, error) = app
        .err("cpr/save", &[("volunteer_id", &kim_id), ("cpr", "0101902")])
        .await;
    assert_eq!(error, invalid("cpr", "error.cpr"));
    assert!(app.storage.cpr_record(kim).await.unwrap().is_none());
    assert!(peer.seen.lock().unwrap().is_empty());

    // Storing a number looks the person up at once.
    for (id, number) in [
        (anna, "010190-1111"),
        (kim, "010190-2114"),
        (vera, "0101902115"),
        (dead, "0101902118"),
        (unknown, "0101902199"),
    ] {
        app.ok::<()>(
            "cpr/save",
            &[("volunteer_id", &id.to_string()), ("cpr", number)],
        )
        .await;
    }
    assert_eq!(peer.seen.lock().unwrap().len(), 5);
    let (number, record) = app.storage.cpr_record(anna).await.unwrap().unwrap();
    assert_eq!(number.digits(), "0101901111");
    assert_eq!(record.masked, "010190-xxxx");
    let facts = record.facts.unwrap();
    assert_eq!(
        (facts.name.as_str(), facts.municipality_code.as_deref()),
        ("Anna Andersen", Some("330"))
    );
    let kim_facts = app.storage.get_volunteer(kim).await.unwrap().register;
    assert_eq!(
        kim_facts.and_then(|f| f.municipality_code).as_deref(),
        Some("101"),
        "Kim lives in København by CPR"
    );
    let (_, unknown_record) = app.storage.cpr_record(unknown).await.unwrap().unwrap();
    assert_eq!(
        (unknown_record.failure.as_deref(), unknown_record.facts),
        (Some("not_found"), None)
    );

    // Now CPR decides: Kim lives elsewhere, Vera is under guardianship and
    // the third has died. Nobody CPR does not know loses their seat for it.
    let after = candidates().await;
    assert!(
        after.contains(&anna) && after.contains(&unknown),
        "{after:?}"
    );
    for id in [kim, vera, dead] {
        assert!(!after.contains(&id), "{id} is not eligible by CPR");
    }
    for (email, key) in [
        ("kim@example.dk", "eligibility.not_resident"),
        ("vera@example.dk", "eligibility.guardianship"),
        ("doed@example.dk", "eligibility.not_alive"),
    ] {
        let (_, error) = app
            .err(
                "shifts/invite",
                &[("seat_id", &seat), ("email", email), ("respond_days", "3")],
            )
            .await;
        assert_eq!(error, AppError::refused(key), "{email}");
    }
    app.ok::<()>(
        "shifts/invite",
        &[
            ("seat_id", &seat),
            ("email", "anna@example.dk"),
            ("respond_days", "3"),
        ],
    )
    .await;

    // One number, one person.
    let (_, error) = app
        .err(
            "cpr/save",
            &[("volunteer_id", &kim_id), ("cpr", "0101901111")],
        )
        .await;
    assert_eq!(error, invalid("cpr", "error.taken"));

    // The whole number only on its own page, and that showing is logged.
    let (_, whole): (String, String) = app
        .ok("cpr/show", &[("volunteer_id", &anna.to_string())])
        .await;
    assert_eq!(whole, "010190-1111");
    let page = app.get_text(&format!("/volunteers/{anna}")).await;
    assert!(page.contains("010190-xxxx") && !page.contains("0101901111"));
    assert!(
        page.contains("Anna Andersen"),
        "the register's name is shown"
    );
    let log = |action: &'static str| {
        let app = &app;
        async move {
            app.ok::<Vec<AuditRecord>>("audit/list", &[("action", action), ("text", "")])
                .await
        }
    };
    assert_eq!(log("cpr_stored").await.len(), 5);
    assert_eq!(log("cpr_looked_up").await.len(), 5);
    assert_eq!(log("cpr_viewed").await.len(), 1);
    let all: Vec<AuditRecord> = app.ok("audit/list", &[("action", ""), ("text", "")]).await;
    for line in &all {
        let text = format!("{line:?}");
        assert!(
            !text.contains("0101901111") && !text.contains("2114"),
            "{text}"
        );
    }

    // No export carries a number.
    let every_column: Vec<&str> = app::domain::lists::Column::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    let csv = app
        .get_text(&format!(
            "/exports/participants.csv?columns={}",
            every_column.join("%2C")
        ))
        .await;
    assert!(csv.contains("anna@example.dk"), "{csv}");
    assert!(!csv.contains("1111") && !csv.contains("010190"), "{csv}");

    // Taken off again: eligibility from the declaration once more.
    app.ok::<()>("cpr/remove", &[("volunteer_id", &kim_id)])
        .await;
    assert!(app.storage.cpr_record(kim).await.unwrap().is_none());
    let other_seat = open.seats[1].to_string();
    let data: app::candidates::CandidatesData =
        app.ok("candidates/list", &[("seat_id", &other_seat)]).await;
    assert!(data.candidates.iter().any(|c| c.volunteer_id == kim));
}

#[tokio::test]
async fn without_a_cpr_service_numbers_are_kept_and_lookups_refused() {
    use app::domain::AppError;
    let app = crate::helpers::spawn_app().await;
    app.sign_in_admin().await;
    let id = declared_eligible(&app, "anna@example.dk").await.to_string();
    let (_, error) = app.err("cpr/look_up", &[("volunteer_id", &id)]).await;
    assert_eq!(error, AppError::refused("cpr.not_configured"));
    app.ok::<()>("cpr/save", &[("volunteer_id", &id), ("cpr", "0101901111")])
        .await;
    let (_, record) = app
        .storage
        .cpr_record(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((record.looked_up_at, record.facts), (None, None));
    // An unknown person: nothing stored.
    let (_, error) = app
        .err(
            "cpr/save",
            &[("volunteer_id", "999999"), ("cpr", "0101902111")],
        )
        .await;
    assert_eq!(error, AppError::NotFound);
}

#[tokio::test]
async fn the_re_check_flags_a_seated_person_who_moved_away_and_resumes_after_an_outage() {
    use app::civil_register::{recheck, Recheck};
    use app::i18n::copenhagen_to_unix;
    let pki = TestPki::new();
    let mut fixtures = people();
    fixtures.push(Fixture {
        pnr: "0101902122",
        first: "Bent",
        ..ADULT
    });
    fixtures.push(Fixture {
        pnr: "0101902123",
        first: "Carl",
        ..ADULT
    });
    let peer = CprPeer::start(&pki, CVR, fixtures).await;
    let (app, _files) = app_looking_up_at(&peer, &pki).await;
    let open = crate::setup::open_election(&app, "Folketingsvalg", 3).await;
    let mut people = Vec::new();
    for ((email, number), seat) in [
        ("anna@example.dk", "0101901111"),
        ("bent@example.dk", "0101902122"),
        ("carl@example.dk", "0101902123"),
    ]
    .into_iter()
    .zip(&open.seats)
    {
        let id = declared_eligible(&app, email).await;
        app.ok::<()>(
            "cpr/save",
            &[("volunteer_id", &id.to_string()), ("cpr", number)],
        )
        .await;
        app.invite(*seat, email, "3").await;
        people.push(id);
    }
    let anna = people[0];
    let register = Sf1520::new(settings(&peer, &pki)).unwrap();
    let storage = app.storage.as_ref();
    let run = |now: i64, every_days: i64, batch: i64| {
        let register = &register;
        async move {
            recheck(storage, register, "330", now, every_days, batch)
                .await
                .unwrap()
        }
    };
    let asked = || peer.seen.lock().unwrap().len();
    assert_eq!(asked(), 3, "each looked up once, when stored");

    // Anna moves to København. Nobody is due yet: all were just looked up.
    peer.update(Fixture {
        municipality: Some("101"),
        ..ADULT
    });
    let now = valgvagt_server::secrets::unix_now();
    assert_eq!(run(now, 7, 100).await, Recheck::default());
    assert_eq!(asked(), 3);

    // A week on, with the service down: the run stops at once, keeps
    // nothing, and flags nobody.
    let week_on = now + 8 * 86_400;
    peer.set_down(true);
    let stopped = run(week_on, 7, 100).await;
    assert!(stopped.stopped && stopped.looked_up == 0, "{stopped:?}");
    assert!(app
        .storage
        .eligibility_flags(open.election.id)
        .await
        .unwrap()
        .is_empty());
    peer.set_down(false);

    // Two a run (the rate limit): the next run goes on with the rest.
    assert_eq!(run(week_on, 7, 2).await.looked_up, 2);
    assert_eq!(run(week_on, 7, 2).await.looked_up, 1);
    assert_eq!(run(week_on, 7, 2).await, Recheck::default());
    assert_eq!(asked(), 6, "each looked up once more");

    // Anna's seat is flagged, with the reason, on the board too.
    let flags = app
        .storage
        .eligibility_flags(open.election.id)
        .await
        .unwrap();
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(
        (
            flags[0].volunteer_id,
            flags[0].seat_id,
            flags[0].reason.as_str()
        ),
        (anna, open.seats[0], "eligibility.not_resident")
    );
    let board = app
        .get_text(&format!("/board?election={}", open.election.id))
        .await;
    assert!(
        board.contains("Ikke længere valgbare ifølge CPR"),
        "{board}"
    );
    assert!(
        board.contains("anna på Nordskolen: bor ikke i kommunen"),
        "{board}"
    );
    let register = app.get_text("/volunteers?q=anna").await;
    assert!(
        register.contains("Ikke valgbar ifølge CPR: bor ikke i kommunen"),
        "{register}"
    );

    // On the day before the first day of work everyone is looked up again,
    // however recently; the day before that, nobody.
    let first_day = open.day;
    let noon = chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap();
    let two_days_before = copenhagen_to_unix(first_day - chrono::Duration::days(2), noon);
    assert_eq!(run(two_days_before, 30, 100).await, Recheck::default());
    let eve = copenhagen_to_unix(first_day - chrono::Duration::days(1), noon);
    assert_eq!(run(eve, 30, 100).await.looked_up, 3);
    assert_eq!(run(eve, 30, 100).await, Recheck::default(), "once");

    // She moves back; the office looks her up and the flag goes.
    peer.update(ADULT);
    app.ok::<()>("cpr/look_up", &[("volunteer_id", &anna.to_string())])
        .await;
    assert!(app
        .storage
        .eligibility_flags(open.election.id)
        .await
        .unwrap()
        .is_empty());
    let log: Vec<app::domain::audit::AuditRecord> = app
        .ok("audit/list", &[("action", "cpr_looked_up"), ("text", "")])
        .await;
    assert_eq!(
        log.iter()
            .filter(|l| format!("{l:?}").contains("CPR re-check"))
            .count(),
        7,
        "every scheduled lookup is in the audit log, the one that got no answer too"
    );
}

#[tokio::test]
async fn a_protected_address_is_never_shown_to_others() {
    let pki = TestPki::new();
    let peer = CprPeer::start(&pki, CVR, people()).await;
    let (app, _files) = app_looking_up_at(&peer, &pki).await;
    let open = crate::setup::open_election(&app, "Kommunalvalg", 3).await;
    let anna = declared_eligible(&app, "anna@example.dk").await;
    let hidden = declared_eligible(&app, "beskyttet@example.dk").await;
    for (id, number) in [(anna, "0101901111"), (hidden, "0101902119")] {
        app.ok::<()>(
            "cpr/save",
            &[("volunteer_id", &id.to_string()), ("cpr", number)],
        )
        .await;
    }
    let facts = app.storage.get_volunteer(hidden).await.unwrap().register;
    assert!(facts.is_some_and(|f| f.address_protected));

    // Among the candidates the town of a protected address is not sent.
    let third = open.seats[2].to_string();
    let data: app::candidates::CandidatesData =
        app.ok("candidates/list", &[("seat_id", &third)]).await;
    let of = |id| {
        data.candidates
            .iter()
            .find(|c| c.volunteer_id == id)
            .unwrap()
    };
    assert_eq!(
        (of(anna).postal_code.as_str(), of(anna).address_protected),
        ("4200", false)
    );
    let c = of(hidden);
    assert!(c.address_protected && c.postal_code.is_empty() && c.city.is_empty());

    // Both on seats: the list and its files say "beskyttet adresse".
    for (seat, email) in [
        (open.seats[0], "anna@example.dk"),
        (open.seats[1], "beskyttet@example.dk"),
    ] {
        app.invite(seat, email, "3").await;
    }
    let csv = app
        .get_text("/exports/participants.csv?columns=name%2Caddress")
        .await;
    let line = |name: &str| {
        csv.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {csv}"))
            .to_string()
    };
    assert_eq!(line("anna"), "anna;Algade 3, 4200 Korsbæk");
    assert_eq!(line("beskyttet"), "beskyttet;Beskyttet adresse");
    let book = app
        .get_bytes("/exports/participants.xlsx?columns=name%2Caddress")
        .await;
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(book)).unwrap();
    let sheet = book.worksheet_range("Deltagere").unwrap();
    let cells: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "Beskyttet adresse"), "{cells:?}");
    assert_eq!(
        cells.iter().filter(|c| c.contains("Algade")).count(),
        1,
        "only Anna's address: {cells:?}"
    );

    // The person's card says so too.
    let page = app.get_text(&format!("/volunteers/{hidden}")).await;
    assert!(page.contains("Beskyttet adresse"), "{page}");
}
