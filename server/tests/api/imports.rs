//! Importing volunteers from CSV: a preview names each row's problems, a
//! file with any problem stores nothing, and a clean file is stored whole.

use crate::helpers::spawn_app;
use crate::setup::make_team;
use app::domain::accounts::Role;
use app::domain::imports::ImportReport;
use app::domain::AppError;
use reqwest::StatusCode;

const HEADING: &str =
    "Navn;E-mail;Telefon;Fødselsdato;Adresse;Postnr;By;Statsborgerskab;Bor i kommunen;Værgemål";

#[tokio::test]
async fn a_file_with_bad_rows_is_previewed_with_reasons_and_stores_nothing() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let before = app.storage.count_volunteers().await.unwrap();
    let csv = format!(
        "{HEADING}\n\
         Karen Jensen;karen@example.dk;20304050;04-03-1970;Algade 3;4200;Korsbæk;dansk;ja;nej\n\
         Ole;ikke-en-adresse;123;1970-13-01;Algade 4;42;Korsbæk;dansk;ja;nej\n\
         \"Hansen; Bo\";karen@example.dk;20304051;1980-01-01;;4200;Korsbæk;marsiansk;ja;\n"
    );
    let report: ImportReport = app.ok("volunteers/import", &[("csv", &csv)]).await;
    assert_eq!(report.rows.len(), 3);
    assert!(report.rows[0].problems.is_empty());
    assert_eq!(report.rows[1].line, 3);
    let fields = |row: usize| -> Vec<String> {
        report.rows[row]
            .problems
            .iter()
            .map(|p| match p {
                AppError::Invalid { field, .. } => field.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(fields(1), ["email", "phone", "birth_date", "postal_code"]);
    assert_eq!(fields(2), ["address", "citizenship", "guardianship"]);
    assert_eq!(report.rows[2].name, "Hansen; Bo");

    let (_, error) = app
        .err(
            "volunteers/import",
            &[("csv", &csv), ("save", "yes"), ("digest", &report.digest)],
        )
        .await;
    assert_eq!(error, AppError::refused("import.has_problems"));
    assert_eq!(app.storage.count_volunteers().await.unwrap(), before);

    // The same address twice, and one already known.
    let twice = format!(
        "{HEADING}\n\
         Karen Jensen;karen@example.dk;20304050;1970-03-04;Algade 3;4200;Korsbæk;dansk;ja;nej\n\
         Karen Jensen;KAREN@example.dk;20304050;1970-03-04;Algade 3;4200;Korsbæk;dansk;ja;nej\n"
    );
    let report: ImportReport = app.ok("volunteers/import", &[("csv", &twice)]).await;
    assert_eq!(
        report.rows[1].problems,
        vec![AppError::invalid("email", "import.duplicate_email")]
    );
    let (_, error) = app
        .err(
            "volunteers/import",
            &[("csv", "Navn;Telefon\nKaren;20304050")],
        )
        .await;
    assert_eq!(
        error,
        AppError::Refused {
            key: "import.missing_column".into(),
            arg: Some("email".into())
        }
    );
}

#[tokio::test]
async fn a_clean_file_is_stored_whole_on_the_chosen_team_and_audited() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let team = make_team(&app, "Partiet", "PRT").await;
    let rows: String = (0..40)
        .map(|i| {
            format!(
                "Person {i},p{i}@example.dk,2030{i:04},1980-01-01,Vej {i},4200,Korsbæk,dansk,ja,nej\n"
            )
        })
        .collect();
    let csv = format!("{}\n{rows}", HEADING.replace(';', ","));
    let team_id = team.id.to_string();
    // A team leader may not import.
    let leader = app.browser_as(Role::TeamLeader).await;
    let (status, _) = app
        .err_with(&leader, "volunteers/import", &[("csv", &csv)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let before = app.storage.count_volunteers().await.unwrap();
    let preview: ImportReport = app
        .ok("volunteers/import", &[("csv", &csv), ("team_id", &team_id)])
        .await;
    assert_eq!(preview.problem_rows(), 0);
    // Storing needs the digest of the very file previewed.
    let (_, error) = app
        .err(
            "volunteers/import",
            &[
                ("csv", &csv.replace("Person 1,", "Person X,")),
                ("team_id", &team_id),
                ("save", "yes"),
                ("digest", &preview.digest),
            ],
        )
        .await;
    assert_eq!(error, AppError::refused("import.changed"));
    assert_eq!(app.storage.count_volunteers().await.unwrap(), before);
    let report: ImportReport = app
        .ok(
            "volunteers/import",
            &[
                ("csv", &csv),
                ("team_id", &team_id),
                ("save", "yes"),
                ("digest", &preview.digest),
            ],
        )
        .await;
    assert_eq!(report.imported, 40);
    let members = app
        .storage
        .team_members(team.id, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    assert_eq!(members.len(), 40);
    // Importing again finds them all known and stores nothing more.
    let again: ImportReport = app.ok("volunteers/import", &[("csv", &csv)]).await;
    assert_eq!(again.problem_rows(), 40);
    let audit: Vec<String> = sql!(app, |db| sqlx::query_scalar("SELECT action FROM audit_log")
        .fetch_all(db)
        .await
        .unwrap());
    assert!(audit.contains(&"volunteers_imported".to_string()));
}
