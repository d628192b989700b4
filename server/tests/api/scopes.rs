//! Cross-scope attempts: people limited to some areas, stations or teams try
//! to reach beyond them, and the server refuses without saying whether what
//! they asked for exists.

use crate::helpers::{spawn_app, TestApp};
use crate::setup::{make_area, make_election, make_station, make_task, make_team, StationFields};
use crate::storage::volunteer;
use app::domain::accounts::{Role, ScopeKind};
use app::domain::rosters::TeamMember;
use app::domain::seats::SeatStatus;
use app::domain::stations::{Area, Station};
use app::domain::teams::Team;
use app::domain::{AppError, Id};
use app::rosters::RosterData;
use app::teams::TeamMembersData;
use app::volunteers::VolunteerProfile;
use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;

/// Two areas with a station each, two teams with a member each, one active
/// election with a seat per team at each station: the member of team 1 sits
/// at station A, the member of team 2 at station B.
struct Municipality {
    app: TestApp,
    area_a: Area,
    area_b: Area,
    station_a: Station,
    station_b: Station,
    team_1: Team,
    team_2: Team,
    member_1: Id,
    member_2: Id,
    election_id: Id,
    task_id: Id,
    election_day: NaiveDate,
}

async fn municipality() -> Municipality {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let area_a = make_area(&app, "Nord").await;
    let area_b = make_area(&app, "Syd").await;
    let station_a = make_station(&app, &area_a, "Nordskolen").await;
    let station_b = make_station(&app, &area_b, "Sydhallen").await;
    let task = make_task(&app, "Tilforordnet", "TILF", "07:00", "22:00").await;
    let team_1 = make_team(&app, "Partiet A", "A").await;
    let team_2 = make_team(&app, "Partiet B", "B").await;
    // Far enough ahead that no lock period has begun.
    let election_day = chrono::Utc::now().date_naive() + Duration::days(60);
    let day = election_day.to_string();
    let election = make_election(
        &app,
        "Folketingsvalg",
        &day,
        &day,
        &day,
        &[&station_a, &station_b],
    )
    .await;
    let cells = format!("form[counts][c{}-{}]", team_1.id, task.id);
    let cells_2 = format!("form[counts][c{}-{}]", team_2.id, task.id);
    for station in [&station_a, &station_b] {
        app.ok::<()>(
            "seats/save",
            &[
                ("form[election_id]", &election.id.to_string()),
                ("form[station_id]", &station.id.to_string()),
                ("form[day]", &day),
                (&cells, "1"),
                (&cells_2, "1"),
            ],
        )
        .await;
    }
    let s = app.storage.as_ref();
    let member_1 = s
        .create_volunteer(&volunteer("medlem1@example.dk"))
        .await
        .unwrap();
    let member_2 = s
        .create_volunteer(&volunteer("medlem2@example.dk"))
        .await
        .unwrap();
    s.add_team_member(team_1.id, member_1, false).await.unwrap();
    s.add_team_member(team_2.id, member_2, true).await.unwrap();
    for (station, team, member) in [
        (&station_a, &team_1, member_1),
        (&station_b, &team_2, member_2),
    ] {
        let seat = s
            .open_seats(election.id, station.id, election_day, team.id, task.id)
            .await
            .unwrap()[0];
        s.fill_seat(seat, member, SeatStatus::Accepted, None, 1, None)
            .await
            .unwrap();
    }
    Municipality {
        app,
        area_a,
        area_b,
        station_a,
        station_b,
        team_1,
        team_2,
        member_1,
        member_2,
        election_id: election.id,
        task_id: task.id,
        election_day,
    }
}

fn forbidden(result: (StatusCode, AppError)) {
    assert_eq!(result.0, StatusCode::FORBIDDEN, "{:?}", result.1);
    assert_eq!(result.1, AppError::Forbidden);
}

#[tokio::test]
async fn a_coordinator_of_one_area_cannot_change_another_areas_stations() {
    let m = municipality().await;
    let app = &m.app;
    let coordinator = app
        .browser_for(
            "nord@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, m.area_a.id)],
        )
        .await;
    let (a, b) = (m.area_a.id.to_string(), m.area_b.id.to_string());
    let (sa, sb) = (m.station_a.id.to_string(), m.station_b.id.to_string());
    let fields = StationFields::default();

    // Their own area: allowed.
    app.ok_with::<()>(
        &coordinator,
        "stations/save",
        &fields.form(&sa, &a, "Nordskolen, hal 2", "4200"),
    )
    .await;
    // A station in area B, moving one across, a new one in B, and what the
    // whole municipality shares: refused.
    let t1 = m.team_1.id.to_string();
    let refused: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("stations/save", fields.form(&sb, &b, "Sydhallen 2", "4200")),
        ("stations/save", fields.form(&sb, &a, "Sydhallen 3", "4200")),
        (
            "stations/save",
            fields.form(&sa, &b, "Nordskolen 4", "4200"),
        ),
        ("stations/save", fields.form("", &b, "Ny i syd", "4200")),
        ("stations/delete", vec![("id", &sb)]),
        (
            "areas/save",
            vec![
                ("id", &a),
                ("form[name]", "Nord 2"),
                ("form[description]", ""),
            ],
        ),
        ("teams/delete", vec![("id", &t1)]),
    ];
    for (endpoint, form) in &refused {
        forbidden(app.err_with(&coordinator, endpoint, form).await);
    }
    // The rosters: their area's, not the other's.
    let roster: RosterData = app
        .ok_with(&coordinator, "rosters/station", &[("station_id", &sa)])
        .await;
    assert_eq!(roster.lines.len(), 2);
    forbidden(
        app.err_with(&coordinator, "rosters/station", &[("station_id", &sb)])
            .await,
    );
    // Station B is unchanged.
    let stations: Vec<Station> = app.ok("stations/list", &[]).await;
    assert!(stations.iter().any(|s| s.name == "Sydhallen"));
    assert!(stations.iter().any(|s| s.name == "Nordskolen, hal 2"));
    // Phone and email beyond their areas' rosters are not theirs.
    forbidden(
        app.err_with(
            &coordinator,
            "volunteers/get",
            &[("id", &m.member_1.to_string())],
        )
        .await,
    );
    let team: TeamMembersData = app
        .ok_with(
            &coordinator,
            "teams/members",
            &[("team_id", &m.team_1.id.to_string())],
        )
        .await;
    assert!(!team.full_contact);
    assert_eq!(
        team.members[0].contact.phone, None,
        "member 1 did not share"
    );
    // An area a coordinator is limited to cannot be deleted from under them.
    let vest = make_area(app, "Vest").await;
    let (user, _) = app
        .storage
        .find_active_user("nord@example.dk")
        .await
        .unwrap()
        .unwrap();
    app.storage
        .grant_scope(user, ScopeKind::Area, vest.id)
        .await
        .unwrap();
    // Areas can be taken away one by one, but not the last: without areas
    // a coordinator plans the whole municipality.
    let user_id = user.to_string();
    app.ok::<()>(
        "users/revoke_scope",
        &[("user_id", &user_id), ("kind", "area"), ("target_id", &a)],
    )
    .await;
    let (status, error) = app
        .err(
            "users/revoke_scope",
            &[
                ("user_id", &user_id),
                ("kind", "area"),
                ("target_id", &vest.id.to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("users.last_area"));
    let (status, error) = app
        .err("areas/delete", &[("id", &vest.id.to_string())])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("areas.has_coordinators"));
}

#[tokio::test]
async fn a_station_manager_sees_their_station_only() {
    let m = municipality().await;
    let app = &m.app;
    let manager = app
        .browser_for(
            "valgstyrer@example.dk",
            Role::StationManager,
            &[(ScopeKind::Station, m.station_a.id)],
        )
        .await;
    let roster: RosterData = app
        .ok_with(
            &manager,
            "rosters/station",
            &[("station_id", &m.station_a.id.to_string())],
        )
        .await;
    assert_eq!(roster.station.name, "Nordskolen");
    let held: Vec<_> = roster
        .lines
        .iter()
        .filter_map(|l| l.person.as_ref())
        .collect();
    assert_eq!(held.len(), 1, "one seat taken, one open");
    assert_eq!(held[0].volunteer_id, m.member_1);
    assert_eq!(held[0].phone.as_deref(), Some("+4520304050"));
    assert!(roster.lines.iter().all(|l| l.day == m.election_day));
    // Another station, an unknown one, and the set-up: refused alike.
    for station in [m.station_b.id.to_string(), "999999".to_string()] {
        forbidden(
            app.err_with(&manager, "rosters/station", &[("station_id", &station)])
                .await,
        );
    }
    forbidden(app.err_with(&manager, "stations/list", &[]).await);
    let mine: Vec<Station> = app.ok_with(&manager, "rosters/mine", &[]).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, m.station_a.id);
}

#[tokio::test]
async fn a_team_leader_sees_and_manages_their_own_team_only() {
    let m = municipality().await;
    let app = &m.app;
    let leader = app
        .browser_for(
            "leder@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, m.team_2.id)],
        )
        .await;
    let (t1, t2) = (m.team_1.id.to_string(), m.team_2.id.to_string());
    // Their own team, with the contact data the member agreed to share.
    let mine: TeamMembersData = app
        .ok_with(&leader, "teams/members", &[("team_id", &t2)])
        .await;
    assert_eq!(mine.members.len(), 1);
    let member: &TeamMember = &mine.members[0];
    assert_eq!(member.contact.volunteer_id, m.member_2);
    assert_eq!(member.contact.email.as_deref(), Some("medlem2@example.dk"));
    assert_eq!(member.shifts.len(), 1);
    assert_eq!(member.shifts[0].station_name, "Sydhallen");
    assert!(!mine.full_contact && mine.can_manage);
    // Another team: neither its members nor removing one of them.
    forbidden(
        app.err_with(&leader, "teams/members", &[("team_id", &t1)])
            .await,
    );
    forbidden(
        app.err_with(
            &leader,
            "teams/remove_member",
            &[("team_id", &t1), ("volunteer_id", &m.member_1.to_string())],
        )
        .await,
    );
    // Nor a member's full record.
    forbidden(
        app.err_with(
            &leader,
            "volunteers/get",
            &[("id", &m.member_2.to_string())],
        )
        .await,
    );
    let teams: Vec<Team> = app.ok_with(&leader, "teams/mine", &[]).await;
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].leaders, vec!["team_leader".to_string()]);
}

#[tokio::test]
async fn team_leaders_see_contact_data_only_where_members_share_it() {
    let m = municipality().await;
    let app = &m.app;
    let leader = app
        .browser_for(
            "leder1@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, m.team_1.id)],
        )
        .await;
    let data: TeamMembersData = app
        .ok_with(
            &leader,
            "teams/members",
            &[("team_id", &m.team_1.id.to_string())],
        )
        .await;
    let contact = &data.members[0].contact;
    assert_eq!(contact.name, "Karen Jensen");
    assert_eq!(
        (contact.phone.as_ref(), contact.email.as_ref()),
        (None, None)
    );
    // The office sees it all.
    let office: TeamMembersData = app
        .ok("teams/members", &[("team_id", &m.team_1.id.to_string())])
        .await;
    assert!(office.full_contact);
    assert!(office.members[0].contact.phone.is_some());

    // A member shared with the team's leaders, not with a coordinator of
    // an area they have no seat in: that coordinator sees the team, not
    // how to reach its members.
    let shared: TeamMembersData = app
        .ok_with(
            &app.browser_for(
                "leder2@example.dk",
                Role::TeamLeader,
                &[(ScopeKind::Team, m.team_2.id)],
            )
            .await,
            "teams/members",
            &[("team_id", &m.team_2.id.to_string())],
        )
        .await;
    assert!(
        shared.members[0].contact.email.is_some(),
        "shared with leaders"
    );
    let coordinator = app
        .browser_for(
            "koordinator.nord@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, m.area_a.id)],
        )
        .await;
    let seen: TeamMembersData = app
        .ok_with(
            &coordinator,
            "teams/members",
            &[("team_id", &m.team_2.id.to_string())],
        )
        .await;
    assert_eq!(seen.members[0].contact.volunteer_id, m.member_2);
    assert_eq!(
        (
            seen.members[0].contact.phone.as_ref(),
            seen.members[0].contact.email.as_ref()
        ),
        (None, None)
    );
}

#[tokio::test]
async fn a_volunteer_reads_only_their_own_record() {
    let m = municipality().await;
    let app = &m.app;
    let user = app
        .storage
        .ensure_user_with_role("medlem1@example.dk", "Karen", Role::Volunteer)
        .await
        .unwrap();
    app.storage.link_volunteer(user, m.member_1).await.unwrap();
    let volunteer = app
        .browser_for("medlem1@example.dk", Role::Volunteer, &[])
        .await;
    let me: VolunteerProfile = app
        .ok_with(
            &volunteer,
            "volunteers/get",
            &[("id", &m.member_1.to_string())],
        )
        .await;
    assert_eq!(me.volunteer.email, "medlem1@example.dk");
    assert_eq!(me.teams, vec![(m.team_1.id, "Partiet A".to_string())]);
    assert_eq!(me.shifts.len(), 1);
    for other in [m.member_2.to_string(), "999999".to_string()] {
        forbidden(
            app.err_with(&volunteer, "volunteers/get", &[("id", &other)])
                .await,
        );
    }
    forbidden(
        app.err_with(
            &volunteer,
            "teams/members",
            &[("team_id", &m.team_1.id.to_string())],
        )
        .await,
    );
}

#[tokio::test]
async fn removing_a_member_frees_their_seats() {
    let m = municipality().await;
    let app = &m.app;
    let leader = app
        .browser_for(
            "leder@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, m.team_1.id)],
        )
        .await;
    let t1 = m.team_1.id.to_string();
    app.ok_with::<()>(
        &leader,
        "teams/remove_member",
        &[
            ("team_id", t1.as_str()),
            ("volunteer_id", &m.member_1.to_string()),
        ],
    )
    .await;
    let after: TeamMembersData = app
        .ok_with(&leader, "teams/members", &[("team_id", &t1)])
        .await;
    assert!(after.members.is_empty());
    let roster: RosterData = app
        .ok(
            "rosters/station",
            &[("station_id", &m.station_a.id.to_string())],
        )
        .await;
    assert!(
        roster.lines.iter().all(|l| l.person.is_none()),
        "the seat is open again"
    );
    let told: Vec<(String,)> = sql!(app, |db| sqlx::query_as(
        "SELECT kind FROM outbox WHERE volunteer_id = $1"
    )
    .bind(m.member_1)
    .fetch_all(db)
    .await
    .unwrap());
    assert_eq!(
        told,
        vec![("removed_from_shift".to_string(),)],
        "they are told"
    );
    // A second removal finds nobody.
    let (status, _) = app
        .err_with(
            &leader,
            "teams/remove_member",
            &[
                ("team_id", t1.as_str()),
                ("volunteer_id", &m.member_1.to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_member_with_an_accepted_shift_in_the_lock_period_stays() {
    let m = municipality().await;
    let app = &m.app;
    let leader = app
        .browser_for(
            "leder@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, m.team_2.id)],
        )
        .await;
    let t2 = m.team_2.id.to_string();
    let member = m.member_2.to_string();
    let form = [("team_id", t2.as_str()), ("volunteer_id", member.as_str())];
    // A shift three days ahead is inside the 7-day lock period.
    let soon = chrono::Utc::now().date_naive() + Duration::days(3);
    let locked_election = make_election(
        app,
        "Kommunalvalg",
        &soon.to_string(),
        &soon.to_string(),
        &soon.to_string(),
        &[&m.station_b],
    )
    .await;
    let task = app.storage.list_task_types().await.unwrap()[0].id;
    app.ok::<()>(
        "seats/save",
        &[
            ("form[election_id]", &locked_election.id.to_string()),
            ("form[station_id]", &m.station_b.id.to_string()),
            ("form[day]", &soon.to_string()),
            (&format!("form[counts][c{}-{task}]", m.team_2.id), "1"),
        ],
    )
    .await;
    let seat = app
        .storage
        .open_seats(locked_election.id, m.station_b.id, soon, m.team_2.id, task)
        .await
        .unwrap()[0];
    app.storage
        .fill_seat(seat, m.member_2, SeatStatus::Accepted, None, 1, None)
        .await
        .unwrap();
    let (status, error) = app.err_with(&leader, "teams/remove_member", &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("teams.member_locked"));
    let still: TeamMembersData = app
        .ok_with(&leader, "teams/members", &[("team_id", &t2)])
        .await;
    assert_eq!(still.members.len(), 1, "a refused removal changes nothing");
    assert_eq!(still.members[0].shifts.len(), 2);
}

#[tokio::test]
async fn a_coordinator_of_one_area_lists_exports_and_messages_only_people_there() {
    use app::domain::notifications::MessageRecord;
    use app::lists::ListData;
    use app::notifications::MessageLog;
    let m = municipality().await;
    let app = &m.app;
    let coordinator = app
        .browser_for(
            "nord@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, m.area_a.id)],
        )
        .await;
    let (a, b) = (m.area_a.id.to_string(), m.area_b.id.to_string());

    // The list without an area: their own area's people only.
    let list: ListData = app
        .ok_with(
            &coordinator,
            "lists/participants",
            &[("query[columns]", "name,area")],
        )
        .await;
    assert_eq!(list.total, 1, "{:?}", list.rows);
    assert_eq!(list.rows[0][1], "Nord");
    let choices: Vec<Id> = list.areas.iter().map(|(id, _)| *id).collect();
    assert_eq!(choices, vec![m.area_a.id], "only their own area to choose");
    let own: ListData = app
        .ok_with(
            &coordinator,
            "lists/participants",
            &[("query[columns]", "name"), ("query[area]", &a)],
        )
        .await;
    assert_eq!(own.total, 1);
    forbidden(
        app.err_with(
            &coordinator,
            "lists/participants",
            &[("query[columns]", "name"), ("query[area]", &b)],
        )
        .await,
    );
    // The office sees both areas.
    let all: ListData = app
        .ok("lists/participants", &[("query[columns]", "name")])
        .await;
    assert_eq!(all.total, 2);

    // Files, payroll included: the same reach.
    for file in ["participants.csv", "payroll.csv", "participants.xlsx"] {
        let other = coordinator
            .get(format!("{}/exports/{file}?area={b}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::FORBIDDEN, "{file}");
    }
    let payroll = coordinator
        .get(format!("{}/exports/payroll.csv", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(payroll.status(), StatusCode::OK);
    let text = payroll.text().await.unwrap();
    assert_eq!(
        text.lines().count(),
        3,
        "a heading, member 1 and the totals: {text}"
    );

    // Messages: to member 1 (area A), not member 2 (area B).
    let (one, two) = (m.member_1.to_string(), m.member_2.to_string());
    app.ok_with::<()>(
        &coordinator,
        "messages/send",
        &[("volunteer_id", &one), ("text", "Husk nøglen")],
    )
    .await;
    forbidden(
        app.err_with(
            &coordinator,
            "messages/send",
            &[("volunteer_id", &two), ("text", "Hej")],
        )
        .await,
    );
    app.ok::<()>(
        "messages/send",
        &[("volunteer_id", &two), ("text", "Fra kontoret")],
    )
    .await;
    let log: MessageLog = app.ok_with(&coordinator, "messages/list", &[]).await;
    let to: Vec<Option<Id>> = log
        .messages
        .iter()
        .map(|r: &MessageRecord| r.volunteer_id)
        .collect();
    assert_eq!(
        to,
        vec![Some(m.member_1)],
        "the office's message to area B is not theirs to see"
    );
    let log: MessageLog = app
        .ok_with(&coordinator, "messages/list", &[("volunteer_id", &two)])
        .await;
    assert!(log.messages.is_empty());
    // Resending the message to area B: refused before anything is looked at.
    let office_log: MessageLog = app.ok("messages/list", &[("volunteer_id", &two)]).await;
    let to_b = office_log.messages[0].id.to_string();
    forbidden(
        app.err_with(&coordinator, "messages/resend", &[("id", &to_b)])
            .await,
    );
}

/// What one area holds for the next test: its station, a station with
/// nothing on it, a held and an open seat, the holder and a message to them.
struct Place {
    area: Id,
    station: Id,
    spare_station: Id,
    held_seat: Id,
    open_seat: Id,
    holder: Id,
    message: Id,
    /// A check-in flagged on the board at this place.
    flag: Id,
}

impl Place {
    async fn of(
        m: &Municipality,
        area: &Area,
        station: &Station,
        open_team: &Team,
        holder: Id,
    ) -> Place {
        use app::notifications::MessageLog;
        let app = &m.app;
        let spare = make_station(app, area, &format!("Reserve {}", area.name)).await;
        let held = app.storage.volunteer_seats(holder).await.unwrap()[0].seat_id;
        let open = app
            .storage
            .open_seats(
                m.election_id,
                station.id,
                m.election_day,
                open_team.id,
                m.task_id,
            )
            .await
            .unwrap()[0];
        let holder_id = holder.to_string();
        app.ok::<()>(
            "messages/send",
            &[("volunteer_id", &holder_id), ("text", "Fra kontoret")],
        )
        .await;
        let log: MessageLog = app
            .ok("messages/list", &[("volunteer_id", &holder_id)])
            .await;
        let seat = app.storage.seat_details(held).await.unwrap();
        let flag: Id = sql!(app, |db| sqlx::query_scalar(
            "INSERT INTO checkin_marks (user_id, key, seat_id, election_id, station_id, day,
                 volunteer_id, attendance, at, received_at, outcome)
             VALUES (1, $1, $2, $3, $4, $5, $6, 'arrived', 0, 0, 'flagged') RETURNING id"
        )
        .bind(format!("flag-{held}"))
        .bind(held)
        .bind(seat.election_id)
        .bind(seat.station_id)
        .bind(seat.day)
        .bind(holder)
        .fetch_one(db)
        .await
        .unwrap());
        Place {
            area: area.id,
            station: station.id,
            spare_station: spare.id,
            held_seat: held,
            open_seat: open,
            holder,
            message: log.messages[0].id,
            flag,
        }
    }

    /// A call of each area-scoped function on this place. Inside the
    /// caller's areas most stop at a bad field after the scope check, so
    /// they change little; renaming the station, resending the message,
    /// deleting the empty station and the previews go through.
    fn calls(&self, m: &Municipality) -> Vec<(&'static str, Vec<(String, String)>)> {
        let id = |id: Id| id.to_string();
        let text = |t: &str| t.to_string();
        let day = m.election_day.to_string();
        let station_form: Vec<(&'static str, String)> = StationFields::default()
            .form(&id(self.station), &id(self.area), "Omdøbt skole", "4200")
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        let mut calls: Vec<(&'static str, Vec<(String, String)>)> = vec![
            (
                "rosters/answer_for",
                vec![("seat_id", id(self.held_seat)), ("answer", text("bogus"))],
            ),
            (
                "rosters/remove",
                vec![("seat_id", id(self.held_seat)), ("reason", text(""))],
            ),
            (
                "rosters/move_seat",
                vec![("seat_id", id(self.open_seat)), ("team_id", text("999999"))],
            ),
            (
                "rosters/invite_team",
                vec![
                    ("station_id", id(self.station)),
                    ("election_id", id(m.election_id)),
                    ("team_id", text("999999")),
                    ("day", day.clone()),
                    ("respond_days", text("3")),
                ],
            ),
            (
                "shifts/invite",
                vec![
                    ("seat_id", id(self.open_seat)),
                    ("email", text("x")),
                    ("respond_days", text("7")),
                ],
            ),
            ("messages/resend", vec![("id", id(self.message))]),
            (
                "messages/send",
                vec![("volunteer_id", id(self.holder)), ("text", text(""))],
            ),
            (
                "messages/group",
                vec![
                    ("query[area]", id(self.area)),
                    ("query[columns]", text("name")),
                    ("text", text("Hej")),
                ],
            ),
            ("stations/save", station_form),
            ("stations/delete", vec![("id", id(self.spare_station))]),
            ("candidates/list", vec![("seat_id", id(self.open_seat))]),
            (
                "candidates/invite",
                vec![("seat_id", id(self.open_seat)), ("respond_days", text("x"))],
            ),
            (
                "cover/call",
                vec![
                    ("seat_id", id(self.open_seat)),
                    ("group", text("bogus")),
                    ("hours", text("2")),
                ],
            ),
            ("checkin/offline", vec![("station_id", id(self.station))]),
            (
                "checkin/record",
                vec![
                    ("key", text("scope-1")),
                    ("seat_id", id(self.held_seat)),
                    ("volunteer_id", id(self.holder)),
                    ("attendance", text("bogus")),
                    ("at", text("0")),
                ],
            ),
            ("checkin/clear_flag", vec![("flag_id", id(self.flag))]),
            (
                "checkin/mark",
                vec![
                    ("seat_id", id(self.held_seat)),
                    ("attendance", text("bogus")),
                ],
            ),
            (
                "lists/participants",
                vec![
                    ("query[area]", id(self.area)),
                    ("query[columns]", text("name")),
                ],
            ),
        ]
        .into_iter()
        .map(
            |(endpoint, form): (&'static str, Vec<(&'static str, String)>)| {
                (
                    endpoint,
                    form.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                )
            },
        )
        .collect();
        // The seat plan saved as it is: the counts' field names carry ids.
        calls.push((
            "seats/save",
            vec![
                ("form[election_id]".into(), id(m.election_id)),
                ("form[station_id]".into(), id(self.station)),
                ("form[day]".into(), day),
                (
                    format!("form[counts][c{}-{}]", m.team_1.id, m.task_id),
                    text("1"),
                ),
                (
                    format!("form[counts][c{}-{}]", m.team_2.id, m.task_id),
                    text("1"),
                ),
            ],
        ));
        calls
    }
}

#[tokio::test]
async fn an_area_coordinator_reaches_into_their_own_area_only() {
    let m = municipality().await;
    let app = &m.app;
    let coordinator = app
        .browser_for(
            "nord@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, m.area_a.id)],
        )
        .await;
    let own = Place::of(&m, &m.area_a, &m.station_a, &m.team_2, m.member_1).await;
    let other = Place::of(&m, &m.area_b, &m.station_b, &m.team_1, m.member_2).await;
    // Every function the matrix lets area coordinators call is tried here.
    // The two QR-code functions check the code's secret before its seat's
    // area; `checkin.rs` tries a genuine code from beyond the caller's reach.
    let by_code = ["checkin/peek", "checkin/code"];
    let tried: Vec<&str> = own.calls(&m).iter().map(|(e, _)| *e).collect();
    let untried: Vec<&str> = crate::authorization::area_scoped_functions()
        .into_iter()
        .filter(|e| !tried.contains(e) && !by_code.contains(e))
        .collect();
    assert!(
        untried.is_empty(),
        "area-scoped functions not tried across areas: {untried:?}"
    );

    // Area B first: every call refused, nothing changed.
    for (endpoint, form) in other.calls(&m) {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, error) = app.err_with(&coordinator, endpoint, &form).await;
        assert_eq!(
            (status, &error),
            (StatusCode::FORBIDDEN, &AppError::Forbidden),
            "{endpoint} in area B"
        );
    }
    let stations: Vec<Station> = app.ok("stations/list", &[]).await;
    let names: Vec<&str> = stations.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"Sydhallen") && names.contains(&"Reserve Syd"),
        "{names:?}"
    );
    // Area A: past the scope check every time (answered, or a field refused).
    for (endpoint, form) in own.calls(&m) {
        let response = coordinator
            .post(format!("{}/api/{endpoint}", app.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                && !status.is_server_error(),
            "{endpoint} in area A: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }
    let stations: Vec<Station> = app.ok("stations/list", &[]).await;
    let names: Vec<&str> = stations.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"Omdøbt skole") && !names.contains(&"Reserve Nord"),
        "{names:?}"
    );
}
