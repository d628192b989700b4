//! The participant register: everyone on record, searched by name, email or
//! phone and filtered; what each role may see of it.

use crate::reminders::election;
use crate::setup::{make_area, make_team};
use app::domain::accounts::{Role, ScopeKind};
use app::register::RegisterResults;
use app::server::storage::{TeamStore, VolunteerStore};
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
