//! A team leader's view of the team's seats across stations, and inviting
//! the team's own members to open ones from there.

use crate::reminders::election;
use crate::setup::make_team;
use app::domain::accounts::{Role, ScopeKind};
use app::domain::AppError;
use app::server::storage::{SeatStore, TeamStore};
use app::team_seats::TeamSeatsData;
use reqwest::StatusCode;

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

    let invite = |volunteer: i64, seat: i64| {
        [
            ("team_id", team.to_string()),
            ("seat_id", seat.to_string()),
            ("volunteer_id", volunteer.to_string()),
            ("respond_days", "7".to_string()),
        ]
    };
    let form = invite(e.ole, seat);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    e.app.ok_with::<()>(&leader, "teams/invite", &pairs).await;
    let after = seats(leader.clone()).await;
    assert_eq!((after.cells[0].invited, after.cells[0].open), (1, 1));
    assert!(e
        .kinds(e.ole)
        .await
        .contains(&app::domain::notifications::MessageKind::Invitation));

    // Karen is no member; a taken seat stays taken; bad numbers are named.
    let other = after.cells[0].first_open.expect("one still open");
    for (form, expected) in [
        (
            invite(e.karen, other),
            AppError::invalid("volunteer_id", "team_seats.not_member"),
        ),
        (invite(e.ole, seat), AppError::refused("seats.taken")),
    ] {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (_, error) = e.app.err_with(&leader, "teams/invite", &pairs).await;
        assert_eq!(error, expected);
    }
    let mut form = invite(e.ole, other);
    form[3].1 = "99".into();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = e.app.err_with(&leader, "teams/invite", &pairs).await;
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
    let form = invite(e.ole, other);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = e.app.err_with(&outsider, "teams/invite", &pairs).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nor through a seat of their own team id with someone else's seat.
    let mut form = invite(e.ole, other);
    form[0].1 = rival.id.to_string();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = e.app.err_with(&outsider, "teams/invite", &pairs).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let still = e.app.storage.seat_details(other).await.unwrap();
    assert_eq!(still.volunteer_id, None);
}
