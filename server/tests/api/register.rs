//! The participant register: everyone on record, searched by name, email or
//! phone and filtered; what each role may see of it.

use crate::reminders::election;
use crate::setup::{make_area, make_team};
use app::domain::accounts::{Role, ScopeKind};
use app::register::RegisterResults;
use reqwest::StatusCode;

fn names(r: &RegisterResults) -> Vec<String> {
    r.page.rows.iter().map(|p| p.name.clone()).collect()
}

async fn search(
    e: &crate::reminders::Election2,
    browser: &reqwest::Client,
    form: &[(&str, &str)],
) -> RegisterResults {
    // An empty search still names the argument.
    let mut fields: Vec<(String, String)> = vec![("query[q]".into(), String::new())];
    fields.extend(
        form.iter()
            .map(|(k, v)| (format!("query[{k}]"), v.to_string())),
    );
    if form.iter().any(|(k, _)| *k == "q") {
        fields.remove(0);
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    e.app.ok_with(browser, "volunteers/register", &pairs).await
}

#[tokio::test]
async fn the_office_finds_anyone_by_name_email_or_phone_and_filters() {
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    let office = &e.app.client;
    // Everyone on record, Ole without a seat or an account included.
    let all = search(&e, office, &[]).await;
    assert_eq!(names(&all), vec!["Karen Jensen", "Ole Hansen"]);
    assert_eq!(all.page.total, 2);
    assert!(all.contacts && all.can_open);
    let karen = &all.page.rows[0];
    assert_eq!((karen.seats, karen.has_account), (1, true));
    assert_eq!(
        (all.page.rows[1].seats, all.page.rows[1].has_account),
        (0, false)
    );

    assert_eq!(
        names(&search(&e, office, &[("q", "hans")]).await),
        vec!["Ole Hansen"]
    );
    assert_eq!(
        names(&search(&e, office, &[("q", "KAREN@")]).await),
        vec!["Karen Jensen"]
    );
    // Both have the fixture's number; typed with spaces.
    assert_eq!(search(&e, office, &[("q", "20 30 40")]).await.page.total, 2);
    assert_eq!(
        names(&search(&e, office, &[("seat", "no_seat")]).await),
        vec!["Ole Hansen"]
    );
    assert_eq!(
        names(&search(&e, office, &[("seat", "has_seat")]).await),
        vec!["Karen Jensen"]
    );
    assert_eq!(
        names(&search(&e, office, &[("account", "no")]).await),
        vec!["Ole Hansen"]
    );
    let election = e.election.id.to_string();
    assert_eq!(
        names(&search(&e, office, &[("election", &election)]).await),
        vec!["Karen Jensen"]
    );
    // Ole declines an invitation: "has declined" finds him.
    e.invite(e.seats[1], "ole@example.dk", "7").await;
    e.app
        .ok::<()>(
            "rosters/answer_for",
            &[
                ("seat_id", &e.seats[1].to_string()),
                ("answer", "decline"),
                ("reason", "Bortrejst"),
            ],
        )
        .await;
    assert_eq!(
        names(&search(&e, office, &[("seat", "declined")]).await),
        vec!["Ole Hansen"]
    );
    let newest = search(&e, office, &[("sort", "newest")]).await;
    assert_eq!(names(&newest), vec!["Ole Hansen", "Karen Jensen"]);

    // Bad input is named, and pages beyond the end are empty.
    let (status, error) = e
        .app
        .err("volunteers/register", &[("query[seat]", "sometimes")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error,
        app::domain::AppError::invalid("seat", "error.unknown_choice")
    );
    let beyond = search(&e, office, &[("page", "2")]).await;
    assert!(beyond.page.rows.is_empty());
    assert_eq!((beyond.page.total, beyond.pages), (2, 1));
}

#[tokio::test]
async fn a_coordinator_of_some_areas_and_a_team_leader_see_only_their_people() {
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    // Karen's seat is in Nord; a coordinator of Syd sees only people with no seat.
    let syd = make_area(&e.app, "Syd").await;
    let coordinator = e
        .app
        .browser_for(
            "syd@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, syd.id)],
        )
        .await;
    let seen = search(&e, &coordinator, &[]).await;
    assert_eq!(names(&seen), vec!["Ole Hansen"]);
    assert!(!seen.contacts, "contact details only for the office");
    assert!(seen
        .page
        .rows
        .iter()
        .all(|p| p.email.is_empty() && p.phone.is_empty()));

    // A team leader sees their team's members, nobody else.
    let team = make_team(&e.app, "Partiet", "PAR").await;
    e.app
        .storage
        .add_team_member(team.id, e.ole, false)
        .await
        .unwrap();
    let leader = e
        .app
        .browser_for(
            "leder@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, team.id)],
        )
        .await;
    assert_eq!(names(&search(&e, &leader, &[]).await), vec!["Ole Hansen"]);
    assert_eq!(
        names(&search(&e, &leader, &[("q", "karen")]).await),
        Vec::<String>::new()
    );

    // A station manager and a volunteer may not look.
    for browser in [
        e.app.browser_as(Role::StationManager).await,
        e.karen_phone.clone(),
    ] {
        let (status, _) = e
            .app
            .err_with(&browser, "volunteers/register", &[("query[q]", "")])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(e.app.storage.count_volunteers().await.unwrap(), 2);
}

/// The office's person form, as the browser sends it.
fn person_form(id: &str, email: &str, resident: &str) -> Vec<(String, String)> {
    let mut form = vec![
        ("id".to_string(), id.to_string()),
        ("language".into(), "da".into()),
    ];
    for (k, v) in [
        ("name", "Pia Petersen"),
        ("email", email),
        ("phone", "61 62 63 64"),
        ("birth_date", "1961-06-01"),
        ("address", "Bygaden 2"),
        ("postal_code", "4200"),
        ("city", "Korsbæk"),
        ("resident", resident),
        ("citizenship", "danish"),
        ("guardianship", "no"),
    ] {
        form.push((format!("form[{k}]"), v.to_string()));
    }
    form
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn the_office_enters_a_person_corrects_them_and_keeps_notes_only_it_sees() {
    use app::domain::audit::AuditRecord;
    use app::volunteers::VolunteerProfile;
    let e = election().await;
    e.app
        .ok::<()>(
            "volunteers/save",
            &pairs(&person_form("", "pia@example.dk", "yes")),
        )
        .await;
    let pia = e
        .app
        .storage
        .find_volunteer_by_email("pia@example.dk")
        .await
        .unwrap()
        .unwrap();
    let id = pia.to_string();
    // She moves away: the office corrects her municipality and address.
    let mut moved = person_form(&id, "pia@example.dk", "no");
    moved.retain(|(k, _)| k != "form[address]");
    moved.push(("form[address]".into(), "Fjernvej 9".into()));
    e.app.ok::<()>("volunteers/save", &pairs(&moved)).await;
    let record = e.app.storage.get_volunteer(pia).await.unwrap();
    assert_eq!(record.municipality_code, "000");
    assert_eq!(record.address, "Fjernvej 9");
    assert!(
        record.consent_at.is_none(),
        "the office cannot consent for her"
    );
    let audit: Vec<AuditRecord> = e
        .app
        .ok(
            "audit/list",
            &[("action", "volunteer_edited"), ("text", "")],
        )
        .await;
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].detail.contains("municipality_code: 999 → 000"),
        "{}",
        audit[0].detail
    );
    assert!(audit[0].detail.contains("address: Bygaden 2 → Fjernvej 9"));
    // Karen's address cannot be taken, and bad input changes nothing.
    let (status, error) = e
        .app
        .err(
            "volunteers/save",
            &pairs(&person_form(&id, "karen@example.dk", "yes")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error,
        app::domain::AppError::invalid("email", "error.taken")
    );
    let (_, error) = e
        .app
        .err("volunteers/save", &pairs(&person_form(&id, "pia@", "yes")))
        .await;
    assert_eq!(
        error,
        app::domain::AppError::invalid("email", "error.email")
    );
    assert_eq!(
        e.app.storage.get_volunteer(pia).await.unwrap().email,
        "pia@example.dk"
    );

    // A note, seen by the office on her page, never by her or a team leader.
    e.app
        .ok::<()>(
            "volunteers/add_note",
            &[("volunteer_id", &id), ("note", "Ringer bedst om aftenen")],
        )
        .await;
    let (_, error) = e
        .app
        .err(
            "volunteers/add_note",
            &[("volunteer_id", &id), ("note", "  ")],
        )
        .await;
    assert_eq!(
        error,
        app::domain::AppError::invalid("note", "error.required")
    );
    let page: VolunteerProfile = e.app.ok("volunteers/get", &[("id", &id)]).await;
    let office = page.office.expect("the office's part");
    assert_eq!(office.notes.len(), 1);
    assert_eq!(office.notes[0].text, "Ringer bedst om aftenen");
    assert!(!office.has_account);
    let own: VolunteerProfile = e
        .app
        .ok_with(
            &e.karen_phone,
            "volunteers/get",
            &[("id", &e.karen.to_string())],
        )
        .await;
    assert!(
        own.office.is_none(),
        "Karen does not see the office's part of her page"
    );
    let reader = e.app.browser_as(Role::ReadOnly).await;
    let (status, _) = e
        .app
        .err_with(
            &reader,
            "volunteers/add_note",
            &[("volunteer_id", &id), ("note", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_records_of_one_person_merge_once_their_shifts_do_not_clash() {
    use app::domain::merge::MergeConflict;
    use app::records::MergePlan;
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    // Ole turns out to be Karen under another address, invited at the same time.
    e.invite(e.seats[1], "ole@example.dk", "7").await;
    let karen = e.karen.to_string();
    let preview: MergePlan = e
        .app
        .ok(
            "volunteers/merge_preview",
            &[("kept", &karen), ("other", "OLE@example.dk")],
        )
        .await;
    assert_eq!(preview.duplicate.id, e.ole);
    assert!(preview
        .conflicts
        .contains(&MergeConflict::OverlappingShifts {
            kept: e.seats[0],
            duplicate: e.seats[1],
        }));
    let ole = e.ole.to_string();
    let (_, error) = e
        .app
        .err("volunteers/merge", &[("kept", &karen), ("duplicate", &ole)])
        .await;
    assert_eq!(error, app::domain::AppError::refused("merge.overlap"));
    assert!(
        e.app.storage.get_volunteer(e.ole).await.is_ok(),
        "nothing changed"
    );

    // The office takes Ole off; his team, note and history still move.
    e.app
        .ok::<()>(
            "rosters/remove",
            &[("seat_id", &e.seats[1].to_string()), ("reason", "Dublet")],
        )
        .await;
    let team = make_team(&e.app, "Partiet", "PAR").await;
    e.app
        .storage
        .add_team_member(team.id, e.ole, true)
        .await
        .unwrap();
    e.app
        .ok::<()>(
            "volunteers/add_note",
            &[("volunteer_id", &ole), ("note", "Samme som Karen")],
        )
        .await;
    let preview: MergePlan = e
        .app
        .ok(
            "volunteers/merge_preview",
            &[("kept", &karen), ("other", &ole)],
        )
        .await;
    assert_eq!(
        preview.conflicts,
        vec![MergeConflict::OtherEmail("ole@example.dk".into())]
    );
    assert_eq!(
        (
            preview.counts.history,
            preview.counts.teams,
            preview.counts.notes
        ),
        (1, 1, 1)
    );
    e.app
        .ok::<()>("volunteers/merge", &[("kept", &karen), ("duplicate", &ole)])
        .await;
    assert!(
        matches!(
            e.app.storage.get_volunteer(e.ole).await,
            Err(app::domain::AppError::NotFound)
        ),
        "the duplicate is gone"
    );
    let history = e.app.storage.volunteer_history(e.karen).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].reason, "Dublet");
    let teams = e.app.storage.volunteer_teams(e.karen).await.unwrap();
    assert!(teams.iter().any(|(id, _)| *id == team.id));
    assert_eq!(
        e.app.storage.volunteer_notes(e.karen).await.unwrap().len(),
        1
    );
    // Karen still signs in as before.
    let me: Option<app::domain::accounts::CurrentUser> =
        e.app.ok_with(&e.karen_phone, "auth/who_am_i", &[]).await;
    assert_eq!(me.unwrap().volunteer_id, Some(e.karen));

    // A duplicate whose account has staff roles is not merged away.
    let staff = e
        .app
        .storage
        .create_volunteer(&crate::storage::volunteer("staff@example.dk"))
        .await
        .unwrap();
    e.app
        .browser_for("staff@example.dk", Role::Coordinator, &[])
        .await;
    let user = e
        .app
        .storage
        .find_active_user("staff@example.dk")
        .await
        .unwrap()
        .unwrap()
        .0;
    e.app.storage.link_volunteer(user, staff).await.unwrap();
    let (_, error) = e
        .app
        .err(
            "volunteers/merge",
            &[("kept", &karen), ("duplicate", &staff.to_string())],
        )
        .await;
    assert_eq!(error, app::domain::AppError::refused("merge.staff_account"));
}
