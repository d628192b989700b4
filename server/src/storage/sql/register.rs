//! The participant register's search: one WHERE clause, built from the
//! filter and the viewer's scope, for both the count and the page.

use super::Db;
use super::{contains_pattern, id_array, Storage};
use crate::storage::db_error;
use app::domain::register::{
    RegisterFilter, RegisterPage, RegisterRow, RegisterScope, RegisterSort, SeatFilter, PAGE_SIZE,
};
use app::domain::AppError;
use sqlx::QueryBuilder;

/// Appends ` AND …` conditions for `filter` and `scope` to a query over
/// `volunteers v`.
fn conditions(q: &mut QueryBuilder<'_, Db>, filter: &RegisterFilter, scope: &RegisterScope) {
    q.push(" WHERE v.anonymised_at IS NULL");
    match scope {
        RegisterScope::All => {}
        RegisterScope::Areas(areas) => {
            q.push(
                " AND (NOT EXISTS (SELECT 1 FROM seats s WHERE s.volunteer_id = v.id)
                   OR EXISTS (SELECT 1 FROM seats s JOIN stations st ON st.id = s.station_id
                              WHERE s.volunteer_id = v.id
                                AND st.area_id IN (",
            )
            .push(super::dialect::IDS.0)
            .push_bind(id_array(areas))
            .push(super::dialect::IDS.1)
            .push(")))");
        }
        RegisterScope::Teams(teams) => {
            q.push(
                " AND EXISTS (SELECT 1 FROM team_members m WHERE m.volunteer_id = v.id
                   AND m.team_id IN (",
            )
            .push(super::dialect::IDS.0)
            .push_bind(id_array(teams))
            .push(super::dialect::IDS.1)
            .push("))");
        }
    }
    if !filter.text.is_empty() {
        let pattern = contains_pattern(&filter.text);
        q.push(" AND (v.name ")
            .push(super::dialect::LIKE)
            .push(" ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR v.email ")
            .push(super::dialect::LIKE)
            .push(" ")
            .push_bind(pattern)
            .push(" ESCAPE '\\'");
        // "20 30 40" finds +4520304050.
        let digits: String = filter.text.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() >= 3 {
            q.push(" OR v.phone LIKE ").push_bind(format!("%{digits}%"));
        }
        q.push(")");
    }
    if let Some(team) = filter.team {
        q.push(" AND EXISTS (SELECT 1 FROM team_members m WHERE m.volunteer_id = v.id AND m.team_id = ")
            .push_bind(team)
            .push(")");
    }
    // Seats, optionally of one election.
    let in_election = |q: &mut QueryBuilder<'_, Db>, column: &str| {
        if let Some(election) = filter.election {
            q.push(format!(" AND {column} = ")).push_bind(election);
        }
    };
    if let Some(area) = filter.area {
        q.push(
            " AND EXISTS (SELECT 1 FROM seats s JOIN stations st ON st.id = s.station_id
               WHERE s.volunteer_id = v.id AND st.area_id = ",
        )
        .push_bind(area);
        in_election(q, "s.election_id");
        q.push(")");
    }
    match filter.seat {
        Some(SeatFilter::HasSeat) | Some(SeatFilter::NoSeat) => {
            q.push(if filter.seat == Some(SeatFilter::NoSeat) {
                " AND NOT EXISTS"
            } else {
                " AND EXISTS"
            })
            .push(" (SELECT 1 FROM seats s WHERE s.volunteer_id = v.id");
            in_election(q, "s.election_id");
            q.push(")");
        }
        Some(SeatFilter::Declined) => {
            q.push(
                " AND EXISTS (SELECT 1 FROM seat_history h
                   WHERE h.volunteer_id = v.id AND h.event = 'declined'",
            );
            in_election(q, "h.election_id");
            q.push(")");
        }
        Some(SeatFilter::NoShow) => {
            q.push(
                " AND EXISTS (SELECT 1 FROM seats s
                   WHERE s.volunteer_id = v.id AND s.attendance = 'no_show'",
            );
            in_election(q, "s.election_id");
            q.push(")");
        }
        None => {
            // An election alone: everyone with a seat or a history in it.
            if let Some(election) = filter.election {
                q.push(
                    " AND (EXISTS (SELECT 1 FROM seats s WHERE s.volunteer_id = v.id AND s.election_id = ",
                )
                .push_bind(election)
                .push(
                    ") OR EXISTS (SELECT 1 FROM seat_history h
                       WHERE h.volunteer_id = v.id AND h.election_id = ",
                )
                .push_bind(election)
                .push("))");
            }
        }
    }
    if let Some(verified) = filter.verified {
        q.push(" AND v.verified = ").push_bind(verified);
    }
    if let Some(account) = filter.account {
        q.push(if account {
            " AND EXISTS"
        } else {
            " AND NOT EXISTS"
        })
        .push(" (SELECT 1 FROM users u WHERE u.volunteer_id = v.id)");
    }
    if let Some(active) = filter.active {
        q.push(if active {
            " AND v.deactivated_at IS NULL"
        } else {
            " AND v.deactivated_at IS NOT NULL"
        });
    }
    if let Some(language) = filter.language {
        q.push(" AND v.language = ").push_bind(language.as_str());
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    email: String,
    phone: String,
    teams: String,
    seats: i64,
    verified: bool,
    has_account: bool,
    deactivated: bool,
    cpr_flag: Option<String>,
}

fn order(sort: RegisterSort) -> &'static str {
    match sort {
        RegisterSort::Name => super::dialect::BY_NAME,
        RegisterSort::Newest => " ORDER BY v.created_at DESC, v.id DESC",
    }
}

pub(super) async fn search(
    storage: &Storage,
    filter: &RegisterFilter,
    scope: &RegisterScope,
) -> Result<RegisterPage, AppError> {
    let mut count = QueryBuilder::<Db>::new("SELECT count(*) FROM volunteers v");
    conditions(&mut count, filter, scope);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(storage.pool())
        .await
        .map_err(db_error)?;
    // The page's ids first, so the teams and seats are looked up for its
    // fifty people only, not for every match.
    let mut page = QueryBuilder::<Db>::new(
        "SELECT v.id, v.name, v.email, v.phone,
             coalesce((SELECT string_agg(name, ', ') FROM (
                 SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id
                 WHERE m.volunteer_id = v.id ORDER BY t.name) AS names), '') AS teams,
             (SELECT count(*) FROM seats s WHERE s.volunteer_id = v.id) AS seats,
             v.verified,
             EXISTS (SELECT 1 FROM users u WHERE u.volunteer_id = v.id) AS has_account,
             v.deactivated_at IS NOT NULL AS deactivated,
             (SELECT min(f.reason) FROM eligibility_flags f
              JOIN seats s ON s.id = f.seat_id AND s.volunteer_id = f.volunteer_id
              WHERE f.volunteer_id = v.id) AS cpr_flag
         FROM volunteers v WHERE v.id IN (SELECT v.id FROM volunteers v",
    );
    conditions(&mut page, filter, scope);
    page.push(order(filter.sort))
        .push(" LIMIT ")
        .push_bind(PAGE_SIZE)
        .push(" OFFSET ")
        .push_bind((filter.page.max(1) - 1) * PAGE_SIZE)
        .push(")")
        .push(order(filter.sort));
    let rows: Vec<Row> = page
        .build_query_as()
        .fetch_all(storage.pool())
        .await
        .map_err(db_error)?;
    Ok(RegisterPage {
        rows: rows
            .into_iter()
            .map(|r| RegisterRow {
                id: r.id,
                name: r.name,
                email: r.email,
                phone: r.phone,
                teams: r.teams,
                seats: r.seats,
                verified: r.verified,
                has_account: r.has_account,
                deactivated: r.deactivated,
                cpr_flag: r.cpr_flag,
            })
            .collect(),
        total,
    })
}
