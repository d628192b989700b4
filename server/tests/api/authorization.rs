//! Every server function × every role (and nobody signed in): allowed or
//! refused, decided by the server function itself. Calls that are allowed
//! use forms that change nothing (bad input, unknown ids), so the matrix
//! can run in any order.

use crate::helpers::{client, spawn_app};
use app::domain::accounts::Role;
use reqwest::StatusCode;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anyone,
    SignedIn,
    Viewer,
    /// Those who change what the whole municipality shares: administrators
    /// and coordinators without areas.
    Planner,
    /// Coordinators of any reach; each area they touch is checked again
    /// (`scopes::an_area_coordinator_reaches_into_their_own_area_only`).
    AreaPlanner,
    Administrator,
    /// Those who see everyone's contact data: administrators, auditors and
    /// coordinators without areas.
    Office,
    /// Someone signed in for a volunteer record (the matrix's volunteer).
    Volunteer,
    /// Those who see the plan, and team leaders of a team (their team's part).
    ViewerOrLeader,
    /// The planners, and team leaders of a team.
    PlannerOrLeader,
    /// Coordinators of any reach, and station managers of a station (their
    /// station's part).
    AreaPlannerOrManager,
}

const NO_ID: &str = "999999";

/// A form's fields.
type Form = &'static [(&'static str, &'static str)];

/// (endpoint, who may call it, a form that changes nothing)
const MATRIX: &[(&str, Who, Form)] = &[
    ("auth/who_am_i", Who::Anyone, &[]),
    ("auth/peek_link", Who::Anyone, &[("token", "x")]),
    ("auth/sign_in_with_link", Who::Anyone, &[("token", "x")]),
    (
        "auth/request_link",
        Who::Anyone,
        &[("email", "ingen@example.dk")],
    ),
    ("auth/language", Who::Anyone, &[("lang", "xx")]),
    ("auth/options", Who::Anyone, &[]),
    ("auth/request_code", Who::Anyone, &[("phone", "12")]),
    (
        "auth/sign_in_with_code",
        Who::Anyone,
        &[("phone", "+4520000000"), ("code", "x")],
    ),
    ("answers/load", Who::Anyone, &[("token", "x")]),
    ("signup/seat_is_mine", Who::Volunteer, &[("seat_id", NO_ID)]),
    (
        "answers/respond",
        Who::Anyone,
        &[("token", "x"), ("answer", "accept")],
    ),
    ("passkeys/sign_in_start", Who::Anyone, &[]),
    ("passkeys/register_start", Who::SignedIn, &[]),
    ("passkeys/list", Who::SignedIn, &[]),
    (
        "passkeys/rename",
        Who::SignedIn,
        &[("id", NO_ID), ("name", "x")],
    ),
    ("passkeys/delete", Who::SignedIn, &[("id", NO_ID)]),
    ("home/overview", Who::Viewer, &[]),
    (
        "board/get",
        Who::Viewer,
        &[
            ("election", NO_ID),
            ("day", ""),
            ("team", ""),
            ("task_type", ""),
            ("area", ""),
            ("sort", ""),
        ],
    ),
    ("elections/list", Who::Viewer, &[]),
    ("elections/get", Who::Viewer, &[("id", NO_ID)]),
    ("elections/form", Who::Viewer, &[]),
    ("election_types/list", Who::Viewer, &[]),
    ("election_types/get", Who::Viewer, &[("id", NO_ID)]),
    ("areas/list", Who::Viewer, &[]),
    ("areas/get", Who::Viewer, &[("id", NO_ID)]),
    ("stations/list", Who::Viewer, &[]),
    ("stations/form", Who::Viewer, &[("id", NO_ID)]),
    ("task_types/list", Who::Viewer, &[]),
    ("task_types/get", Who::Viewer, &[("id", NO_ID)]),
    ("teams/list", Who::Viewer, &[]),
    ("teams/get", Who::Viewer, &[("id", NO_ID)]),
    ("diets/list", Who::Viewer, &[]),
    ("diets/get", Who::Viewer, &[("id", NO_ID)]),
    ("seats/election", Who::Viewer, &[("election_id", NO_ID)]),
    (
        "seats/plan",
        Who::Viewer,
        &[("election_id", NO_ID), ("station_id", NO_ID)],
    ),
    (
        "elections/save",
        Who::Planner,
        &[
            ("id", ""),
            ("form[title]", ""),
            ("form[election_type_id]", ""),
            ("form[election_day]", ""),
            ("form[first_day]", ""),
            ("form[last_day]", ""),
            ("form[lock_days]", ""),
        ],
    ),
    (
        "elections/activate",
        Who::Planner,
        &[("id", NO_ID), ("active", "true")],
    ),
    ("elections/delete", Who::Planner, &[("id", NO_ID)]),
    (
        "elections/copy",
        Who::Planner,
        &[
            ("form[source_id]", NO_ID),
            ("form[title]", ""),
            ("form[election_day]", ""),
        ],
    ),
    (
        "election_types/save",
        Who::Planner,
        &[("id", ""), ("form[title]", ""), ("form[citizenship]", "")],
    ),
    ("election_types/delete", Who::Planner, &[("id", NO_ID)]),
    (
        "areas/save",
        Who::Planner,
        &[("id", ""), ("form[name]", ""), ("form[description]", "")],
    ),
    ("areas/delete", Who::Planner, &[("id", NO_ID)]),
    (
        "stations/save",
        Who::AreaPlanner,
        &[
            ("id", ""),
            ("form[area_id]", ""),
            ("form[name]", ""),
            ("form[address]", ""),
            ("form[postal_code]", ""),
            ("form[city]", ""),
            ("form[district_number]", ""),
            ("form[latitude]", ""),
            ("form[longitude]", ""),
            ("form[notes]", ""),
        ],
    ),
    ("stations/delete", Who::AreaPlanner, &[("id", NO_ID)]),
    (
        "task_types/save",
        Who::Planner,
        &[
            ("id", ""),
            ("form[title]", ""),
            ("form[short_name]", ""),
            ("form[description]", ""),
            ("form[start_time]", ""),
            ("form[end_time]", ""),
            ("form[payment_dkk]", ""),
        ],
    ),
    ("task_types/delete", Who::Planner, &[("id", NO_ID)]),
    (
        "teams/save",
        Who::Planner,
        &[
            ("id", ""),
            ("form[name]", ""),
            ("form[short_name]", ""),
            ("form[description]", ""),
        ],
    ),
    ("teams/delete", Who::Planner, &[("id", NO_ID)]),
    (
        "diets/save",
        Who::Planner,
        &[("id", ""), ("form[name]", "")],
    ),
    ("diets/delete", Who::Planner, &[("id", NO_ID)]),
    (
        "seats/save",
        Who::AreaPlanner,
        &[
            ("form[election_id]", NO_ID),
            ("form[station_id]", NO_ID),
            ("form[day]", "x"),
        ],
    ),
    ("teams/members", Who::Viewer, &[("team_id", NO_ID)]),
    ("teams/mine", Who::SignedIn, &[]),
    ("teams/seats", Who::Viewer, &[("team_id", NO_ID)]),
    (
        "teams/invite",
        Who::Planner,
        &[
            ("team_id", NO_ID),
            ("seat_id", NO_ID),
            ("volunteer_id", NO_ID),
            ("respond_days", "7"),
        ],
    ),
    (
        "teams/remove_member",
        Who::Planner,
        &[("team_id", NO_ID), ("volunteer_id", NO_ID)],
    ),
    ("rosters/station", Who::Viewer, &[("station_id", NO_ID)]),
    ("rosters/mine", Who::SignedIn, &[]),
    ("volunteers/get", Who::Office, &[("id", NO_ID)]),
    ("volunteers/register_choices", Who::ViewerOrLeader, &[]),
    ("volunteers/form", Who::Planner, &[("id", NO_ID)]),
    (
        "volunteers/merge_preview",
        Who::Planner,
        &[("kept", NO_ID), ("other", NO_ID)],
    ),
    (
        "volunteers/merge",
        Who::Planner,
        &[("kept", NO_ID), ("duplicate", NO_ID)],
    ),
    (
        "volunteers/add_note",
        Who::Planner,
        &[("volunteer_id", NO_ID), ("note", "")],
    ),
    (
        "volunteers/save",
        Who::Planner,
        &[("id", NO_ID), ("language", "xx"), ("form[name]", "")],
    ),
    (
        "volunteers/register",
        Who::ViewerOrLeader,
        &[("query[seat]", "")],
    ),
    (
        "volunteers/removal_preview",
        Who::Planner,
        &[("ids", NO_ID), ("action", "delete")],
    ),
    (
        "volunteers/remove",
        Who::Planner,
        &[("ids", NO_ID), ("action", "delete")],
    ),
    ("push/setup", Who::SignedIn, &[]),
    ("push/remove", Who::SignedIn, &[("id", NO_ID)]),
    ("messages/list", Who::Viewer, &[]),
    ("messages/resend", Who::AreaPlanner, &[("id", NO_ID)]),
    (
        "messages/send",
        Who::AreaPlanner,
        &[("volunteer_id", NO_ID), ("text", "Hej")],
    ),
    (
        "shifts/invite",
        Who::AreaPlanner,
        &[
            ("seat_id", NO_ID),
            ("email", "x@example.dk"),
            ("respond_days", "7"),
        ],
    ),
    (
        "shifts/answer",
        Who::Volunteer,
        &[("seat_id", NO_ID), ("answer", "accept")],
    ),
    (
        "templates/editor",
        Who::Viewer,
        &[
            ("election_id", NO_ID),
            ("kind", ""),
            ("channel", ""),
            ("language", ""),
        ],
    ),
    (
        "templates/save",
        Who::Planner,
        &[
            ("election_id", NO_ID),
            ("kind", "invitation"),
            ("channel", "sms"),
            ("language", "da"),
            ("task_type_id", ""),
            ("subject", ""),
            ("body", "Hej"),
        ],
    ),
    (
        "templates/delete",
        Who::Planner,
        &[("election_id", NO_ID), ("id", NO_ID)],
    ),
    ("shifts/mine", Who::Volunteer, &[]),
    ("signup/open_for_me", Who::Volunteer, &[]),
    ("shifts/cancel", Who::Volunteer, &[("seat_id", NO_ID)]),
    ("calendar/new_feed", Who::Volunteer, &[]),
    ("calendar/stop_feed", Who::Volunteer, &[]),
    ("signup/list", Who::Planner, &[("team_id", NO_ID)]),
    (
        "signup/create",
        Who::Planner,
        &[
            ("election_id", NO_ID),
            ("team_id", NO_ID),
            ("station_id", ""),
            ("task_type_id", ""),
            ("day", ""),
        ],
    ),
    ("signup/revoke", Who::PlannerOrLeader, &[("id", NO_ID)]),
    ("signup/open", Who::Anyone, &[("token", "x")]),
    // Anyone may ask; only a volunteer's own invitations are counted.
    ("shifts/waiting", Who::Anyone, &[]),
    (
        "signup/take",
        Who::Volunteer,
        &[
            ("token", "x"),
            ("station_id", NO_ID),
            ("day", "2027-05-04"),
            ("task_type_id", NO_ID),
        ],
    ),
    (
        "signup/take_open",
        Who::Volunteer,
        &[
            ("link_id", NO_ID),
            ("station_id", NO_ID),
            ("day", "2027-05-04"),
            ("task_type_id", NO_ID),
        ],
    ),
    (
        "signup/standby",
        Who::Volunteer,
        &[
            ("token", "x"),
            ("station_id", NO_ID),
            ("day", "2027-05-04"),
            ("task_type_id", NO_ID),
        ],
    ),
    ("signup/leave_standby", Who::Volunteer, &[("id", NO_ID)]),
    ("signup/join_team", Who::Volunteer, &[("token", "x")]),
    (
        "signup/register",
        Who::Anyone,
        &[
            ("token", "x"),
            ("station_id", ""),
            ("day", ""),
            ("task_type_id", ""),
            ("form[name]", ""),
            ("form[email]", ""),
            ("form[phone]", ""),
            ("form[birth_date]", ""),
            ("form[address]", ""),
            ("form[postal_code]", ""),
            ("form[city]", ""),
            ("form[resident]", ""),
            ("form[citizenship]", ""),
            ("form[guardianship]", ""),
        ],
    ),
    ("privacy/show", Who::Anyone, &[]),
    ("privacy/versions", Who::Administrator, &[]),
    (
        "privacy/publish",
        Who::Administrator,
        &[
            ("version", "matrix-1"),
            ("text_da", "Tekst"),
            ("text_en", "Text"),
        ],
    ),
    ("about/accessibility", Who::Anyone, &[]),
    ("retention/plan", Who::Administrator, &[]),
    ("retention/run", Who::Administrator, &[]),
    ("profile/delete", Who::Volunteer, &[("confirm", "")]),
    (
        "volunteers/verify",
        Who::Planner,
        &[("id", NO_ID), ("verified", "true")],
    ),
    (
        "cpr/save",
        Who::Planner,
        &[("volunteer_id", NO_ID), ("cpr", "x")],
    ),
    ("cpr/remove", Who::Planner, &[("volunteer_id", NO_ID)]),
    ("cpr/look_up", Who::Planner, &[("volunteer_id", NO_ID)]),
    ("cpr/show", Who::Planner, &[("volunteer_id", NO_ID)]),
    (
        "payroll/number",
        Who::Planner,
        &[("volunteer_id", NO_ID), ("number", "x")],
    ),
    ("profile/email", Who::Volunteer, &[("email", "x")]),
    ("profile/email_confirm", Who::Anyone, &[("token", "x")]),
    ("candidates/list", Who::AreaPlanner, &[("seat_id", NO_ID)]),
    (
        "candidates/invite",
        Who::AreaPlanner,
        &[("seat_id", NO_ID), ("respond_days", "3")],
    ),
    (
        "checkin/station",
        Who::Viewer,
        &[("station_id", NO_ID), ("day", "")],
    ),
    (
        "checkin/mark",
        Who::AreaPlannerOrManager,
        &[("seat_id", NO_ID), ("attendance", "arrived")],
    ),
    (
        "cover/call",
        Who::AreaPlanner,
        &[("seat_id", NO_ID), ("group", "standby"), ("hours", "2")],
    ),
    ("cover/load", Who::Volunteer, &[("seat_id", NO_ID)]),
    ("volunteers/import", Who::Planner, &[("csv", "")]),
    (
        "messages/group",
        Who::AreaPlanner,
        &[("query[columns]", "name"), ("text", "")],
    ),
    ("volunteers/import_choices", Who::Planner, &[]),
    (
        "rosters/move_seat",
        Who::AreaPlanner,
        &[("seat_id", NO_ID), ("team_id", NO_ID)],
    ),
    (
        "rosters/invite_team",
        Who::AreaPlanner,
        &[
            ("station_id", NO_ID),
            ("election_id", NO_ID),
            ("team_id", NO_ID),
            ("day", "2027-05-04"),
            ("respond_days", "3"),
        ],
    ),
    ("cover/take", Who::Volunteer, &[("seat_id", NO_ID)]),
    ("cover/decline", Who::Volunteer, &[("seat_id", NO_ID)]),
    (
        "checkin/offline",
        Who::AreaPlannerOrManager,
        &[("station_id", NO_ID)],
    ),
    (
        "checkin/record",
        Who::AreaPlannerOrManager,
        &[
            ("key", "k1"),
            ("seat_id", NO_ID),
            ("volunteer_id", NO_ID),
            ("attendance", "arrived"),
            ("at", "0"),
        ],
    ),
    (
        "checkin/clear_flag",
        Who::AreaPlanner,
        &[("flag_id", NO_ID)],
    ),
    (
        "checkin/peek",
        Who::AreaPlannerOrManager,
        &[("code", "1-x")],
    ),
    (
        "checkin/code",
        Who::AreaPlannerOrManager,
        &[("code", "1-x")],
    ),
    (
        "lists/participants",
        Who::Viewer,
        &[("query[election]", NO_ID), ("query[columns]", "name")],
    ),
    (
        "rosters/answer_for",
        Who::AreaPlanner,
        &[("seat_id", NO_ID), ("answer", "accept")],
    ),
    (
        "rosters/remove",
        Who::AreaPlanner,
        &[("seat_id", NO_ID), ("reason", "x")],
    ),
    (
        "checkin/report",
        Who::Volunteer,
        &[("seat_id", NO_ID), ("what", "delayed")],
    ),
    ("profile/get", Who::Volunteer, &[]),
    ("profile/data", Who::Volunteer, &[]),
    (
        "profile/save",
        Who::Volunteer,
        &[
            ("form[phone]", ""),
            ("form[address]", ""),
            ("form[postal_code]", ""),
            ("form[city]", ""),
            ("form[language]", ""),
        ],
    ),
    ("users/list", Who::Administrator, &[("text", "")]),
    ("users/scope_choices", Who::Administrator, &[]),
    (
        "users/grant_scope",
        Who::Administrator,
        &[
            ("user_id", NO_ID),
            ("kind", "nowhere"),
            ("target_id", NO_ID),
        ],
    ),
    (
        "users/revoke_scope",
        Who::Administrator,
        &[("user_id", NO_ID), ("kind", "area"), ("target_id", NO_ID)],
    ),
    (
        "users/invite",
        Who::Administrator,
        &[("email", "x"), ("name", "x"), ("role", "volunteer")],
    ),
    (
        "users/grant",
        Who::Administrator,
        &[("user_id", NO_ID), ("role", "nobody")],
    ),
    (
        "users/revoke",
        Who::Administrator,
        &[("user_id", NO_ID), ("role", "volunteer")],
    ),
    (
        "users/active",
        Who::Administrator,
        &[("user_id", NO_ID), ("active", "true")],
    ),
    (
        "audit/list",
        Who::Administrator,
        &[("action", ""), ("text", "")],
    ),
];

/// One of the matrix's callers: nobody, or someone signed in with one role
/// (with their scope where the role has one), or a volunteer with a record.
struct Caller {
    role: Option<Role>,
    /// Signed in for a volunteer record.
    volunteer: bool,
    /// A coordinator limited to one area.
    area_limited: bool,
    browser: reqwest::Client,
}

fn allowed(who: Who, caller: &Caller) -> bool {
    match (who, caller.role) {
        (Who::Anyone, _) => true,
        (_, None) => false,
        (Who::SignedIn, Some(_)) => true,
        (Who::Viewer, Some(r)) => {
            matches!(r, Role::Administrator | Role::Coordinator | Role::ReadOnly)
        }
        (Who::Planner, Some(r)) => {
            matches!(r, Role::Administrator | Role::Coordinator) && !caller.area_limited
        }
        (Who::AreaPlanner, Some(r)) => matches!(r, Role::Administrator | Role::Coordinator),
        (Who::Administrator, Some(r)) => r == Role::Administrator,
        (Who::Office, Some(r)) => allowed(Who::Planner, caller) || r == Role::ReadOnly,
        (Who::Volunteer, Some(_)) => caller.volunteer,
        (Who::ViewerOrLeader, Some(r)) => allowed(Who::Viewer, caller) || r == Role::TeamLeader,
        (Who::PlannerOrLeader, Some(r)) => allowed(Who::Planner, caller) || r == Role::TeamLeader,
        (Who::AreaPlannerOrManager, Some(r)) => {
            allowed(Who::AreaPlanner, caller) || r == Role::StationManager
        }
    }
}

/// Nobody, each role (station managers and team leaders with a real scope
/// of their own), a coordinator of one area, and a volunteer with a record.
async fn callers(app: &crate::helpers::TestApp) -> Vec<Caller> {
    use app::domain::accounts::ScopeKind;
    app.sign_in_admin().await;
    let area = crate::setup::make_area(app, "Matrix").await;
    let station = crate::setup::make_station(app, &area, "Matrixskolen")
        .await
        .id;
    let team = crate::setup::make_team(app, "Matrixholdet", "MX").await.id;
    let mut callers = vec![Caller {
        role: None,
        volunteer: false,
        area_limited: false,
        browser: client(),
    }];
    for role in Role::ALL {
        let scopes: &[(ScopeKind, app::domain::Id)] = match role {
            Role::StationManager => &[(ScopeKind::Station, station)],
            Role::TeamLeader => &[(ScopeKind::Team, team)],
            _ => &[],
        };
        let browser = app
            .browser_for(&format!("{}@example.dk", role.as_str()), role, scopes)
            .await;
        callers.push(Caller {
            role: Some(role),
            volunteer: false,
            area_limited: false,
            browser,
        });
    }
    // A coordinator of one area: the whole municipality's set-up is not theirs.
    let browser = app
        .browser_for(
            "omraade.matrix@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, area.id)],
        )
        .await;
    callers.push(Caller {
        role: Some(Role::Coordinator),
        volunteer: false,
        area_limited: true,
        browser,
    });
    // A volunteer with a record, as every volunteer-only function expects.
    let record = app
        .storage
        .create_volunteer(&crate::storage::volunteer("frivillig.matrix@example.dk"))
        .await
        .unwrap();
    let user = app
        .storage
        .ensure_user_with_role("frivillig.matrix@example.dk", "Frivillig", Role::Volunteer)
        .await
        .unwrap();
    app.storage.link_volunteer(user, record).await.unwrap();
    let browser = app
        .browser_for("frivillig.matrix@example.dk", Role::Volunteer, &[])
        .await;
    callers.push(Caller {
        role: Some(Role::Volunteer),
        volunteer: true,
        area_limited: false,
        browser,
    });
    callers
}

#[tokio::test]
async fn every_server_function_checks_who_calls_it() {
    let app = spawn_app().await;
    let callers = callers(&app).await;
    let mut wrong = Vec::new();
    for (endpoint, who, form) in MATRIX {
        for caller in &callers {
            let status = caller
                .browser
                .post(format!("{}/api/{endpoint}", app.base))
                .form(form)
                .send()
                .await
                .unwrap()
                .status();
            let refused = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
            let expected_refusal = match caller.role {
                None => StatusCode::UNAUTHORIZED,
                Some(_) => StatusCode::FORBIDDEN,
            };
            // Allowed means answered: a refusal or a server error is wrong.
            // An area coordinator may also be refused here: the matrix's
            // unknown ids lie in no area of theirs (their reach is proven
            // with real areas in `scopes`).
            let beyond_their_areas = caller.area_limited
                && matches!(who, Who::AreaPlanner | Who::AreaPlannerOrManager)
                && status == StatusCode::FORBIDDEN;
            let ok = if allowed(*who, caller) {
                (!refused || beyond_their_areas) && !status.is_server_error()
            } else {
                status == expected_refusal
            };
            if !ok {
                let volunteer = if caller.volunteer {
                    " with a record"
                } else if caller.area_limited {
                    " of one area"
                } else {
                    ""
                };
                wrong.push(format!(
                    "{endpoint} as {:?}{volunteer}: {status}",
                    caller.role
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "authorization mismatches:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn signing_out_everywhere_needs_a_session() {
    let app = spawn_app().await;
    let response = client()
        .post(format!("{}/api/auth/sign_out_everywhere", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_matrix_names_every_server_function() {
    // A new server function must be added to the matrix above.
    let routes: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    // Not vacuous: every function of the matrix is registered.
    assert!(
        routes.len() >= MATRIX.len(),
        "only {} server functions registered",
        routes.len()
    );
    let listed: Vec<&str> = MATRIX.iter().map(|(e, _, _)| *e).collect();
    // JSON-only functions have their own tests of who may call them.
    let json_only = [
        "passkeys/register_finish",
        "passkeys/sign_in_finish",
        "push/subscribe",
    ];
    // These send mail or end sessions; their own tests check who may call them.
    let side_effects = [
        "auth/sign_out",
        "auth/sign_out_everywhere",
        "signup/email_link",
    ];
    let missing: Vec<&String> = routes
        .iter()
        .filter(|r| {
            !listed.contains(&r.as_str())
                && !json_only.contains(&r.as_str())
                && !side_effects.contains(&r.as_str())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the matrix: {missing:?}"
    );
}

/// The functions a coordinator of some areas may call for what lies in
/// their areas; `scopes` tries each of them on both sides of the line.
pub(crate) fn area_scoped_functions() -> Vec<&'static str> {
    MATRIX
        .iter()
        .filter(|(_, who, _)| matches!(who, Who::AreaPlanner | Who::AreaPlannerOrManager))
        .map(|(endpoint, _, _)| *endpoint)
        .collect()
}
