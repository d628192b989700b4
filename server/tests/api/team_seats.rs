//! A team leader's view of the team's seats across stations, and inviting
//! the team's own members to open ones from there.

use crate::helpers::TestApp;
use crate::reminders::election;
use crate::setup::make_team;
use app::domain::accounts::{Role, ScopeKind};
use app::domain::AppError;
use app::team_seats::TeamSeatsData;
use reqwest::StatusCode;

/// Sends the invite form from `browser`: the team, its seat, the member and
/// the days they have to answer. The refusal, if any, with its status.
async fn invite(
    app: &TestApp,
    browser: &reqwest::Client,
    team: i64,
    seat: i64,
    volunteer: i64,
    days: &str,
) -> Result<(), (StatusCode, AppError)> {
    let (team, seat, volunteer) = (team.to_string(), seat.to_string(), volunteer.to_string());
    let form = [
        ("team_id", team.as_str()),
        ("seat_id", seat.as_str()),
        ("volunteer_id", volunteer.as_str()),
        ("respond_days", days),
    ];
    let response = app.call_with(browser, "teams/invite", &form).await;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = response.text().await.expect("body");
    let error =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not an AppError: {body}: {e}"));
    Err((status, error))
}

#[tokio::test]
async fn a_team_leader_sees_the_teams_seats_and_invites_a_member_to_an_open_one() {
    let e = election().await;
    let team = e
        .app
        .storage
        .seat_details(e.seats[0])
        .await
        .unwrap()
        .team_id;
    e.app
        .storage
        .add_team_member(team, e.ole, false)
        .await
        .unwrap();
    let leader = e
        .app
        .browser_for(
            "leder@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, team)],
        )
        .await;
    let seats = |b: reqwest::Client| {
        let app = &e.app;
        async move {
            app.ok_with::<TeamSeatsData>(&b, "teams/seats", &[("team_id", &team.to_string())])
                .await
        }
    };
    let before = seats(leader.clone()).await;
    assert!(before.can_invite);
    assert_eq!(
        before.members.iter().map(|m| m.0).collect::<Vec<_>>(),
        vec![e.ole]
    );
    let cell = &before.cells[0];
    assert_eq!(before.cells.len(), 1);
    assert_eq!((cell.accepted, cell.invited, cell.open), (0, 0, 2));
    let seat = cell.first_open.expect("an open seat");

    invite(&e.app, &leader, team, seat, e.ole, "7")
        .await
        .expect("invited");
    let after = seats(leader.clone()).await;
    assert_eq!((after.cells[0].invited, after.cells[0].open), (1, 1));
    assert!(e
        .kinds(e.ole)
        .await
        .contains(&app::domain::notifications::MessageKind::Invitation));

    // Karen is no member; a taken seat stays taken; bad numbers are named.
    let other = after.cells[0].first_open.expect("one still open");
    for ((volunteer, seat), expected) in [
        (
            (e.karen, other),
            AppError::invalid("volunteer_id", "team_seats.not_member"),
        ),
        ((e.ole, seat), AppError::refused("seats.taken")),
    ] {
        let (_, error) = invite(&e.app, &leader, team, seat, volunteer, "7")
            .await
            .unwrap_err();
        assert_eq!(error, expected);
    }
    let (status, _) = invite(&e.app, &leader, team, other, e.ole, "99")
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another team's leader sees and invites nothing here.
    let rival = make_team(&e.app, "Partiet", "PAR").await;
    let outsider = e
        .app
        .browser_for(
            "anden@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, rival.id)],
        )
        .await;
    let (status, _) = e
        .app
        .err_with(&outsider, "teams/seats", &[("team_id", &team.to_string())])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = invite(&e.app, &outsider, team, other, e.ole, "7")
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nor by naming their own team with another team's seat.
    let (status, _) = invite(&e.app, &outsider, rival.id, other, e.ole, "7")
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let still = e.app.storage.seat_details(other).await.unwrap();
    assert_eq!(still.volunteer_id, None);
}
