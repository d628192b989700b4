//! Who to ask for an open seat: eligible people without a shift at that
//! time who have not declined this seat, ranked — the seat's standby queue
//! first, then members of the seat's team, then by how near they live
//! (postal codes as the measure of distance).

use super::Id;
use serde::{Deserialize, Serialize};

/// A person who could take the seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub volunteer_id: Id,
    pub name: String,
    pub postal_code: String,
    pub city: String,
    /// CPR protects their address: the list shows no postal code or town.
    pub address_protected: bool,
    /// Their place in the seat's standby queue.
    pub standby_place: Option<i64>,
    /// On the seat's team.
    pub team_member: bool,
    /// How far their postal code is from the station's.
    pub distance: i64,
}

/// Distance between two Danish postal codes: nearby areas have nearby
/// numbers. An unknown code counts as far away.
pub fn postal_distance(a: &str, b: &str) -> i64 {
    match (a.trim().parse::<i64>(), b.trim().parse::<i64>()) {
        (Ok(a), Ok(b)) if a > 0 && b > 0 => (a - b).abs(),
        _ => 10_000,
    }
}

/// Puts the best candidates first.
pub fn rank(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        let key = |c: &Candidate| {
            (
                c.standby_place.is_none(),
                c.standby_place.unwrap_or_default(),
                !c.team_member,
                c.distance,
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, standby: Option<i64>, team: bool, postal: &str) -> Candidate {
        Candidate {
            volunteer_id: 1,
            name: name.into(),
            postal_code: postal.into(),
            city: String::new(),
            address_protected: false,
            standby_place: standby,
            team_member: team,
            distance: postal_distance(postal, "4200"),
        }
    }

    #[test]
    fn standby_first_then_the_team_then_the_nearest() {
        let mut all = vec![
            person("Far", None, false, "9000"),
            person("Near", None, false, "4210"),
            person("Team", None, true, "8000"),
            person("Second in line", Some(2), false, "9000"),
            person("First in line", Some(1), false, "9000"),
            person("Unknown", None, false, ""),
        ];
        rank(&mut all);
        let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "First in line",
                "Second in line",
                "Team",
                "Near",
                "Far",
                "Unknown"
            ]
        );
    }
}

/// A candidate as storage finds them, with what is checked before they are
/// shown: their own declaration and their shifts around the seat's day.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolEntry {
    pub candidate: Candidate,
    pub birth_date: chrono::NaiveDate,
    pub municipality_code: String,
    pub citizenship: super::volunteers::Citizenship,
    pub under_guardianship: bool,
    /// The CPR register's facts, which decide over the declaration.
    pub register: Option<super::cpr::RegisterFacts>,
    pub nearby: Vec<super::shifts::Shift>,
}
