//! Sign-up links and the open shifts they show.

use super::Id;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// What a link narrows the team's open seats to; empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFilters {
    #[serde(default)]
    pub areas: Vec<Id>,
    #[serde(default)]
    pub stations: Vec<Id>,
    #[serde(default)]
    pub task_types: Vec<Id>,
    #[serde(default)]
    pub days: Vec<NaiveDate>,
}

impl LinkFilters {
    pub fn is_team_link(&self) -> bool {
        self.areas.is_empty()
            && self.stations.is_empty()
            && self.task_types.is_empty()
            && self.days.is_empty()
    }

    /// Whether a seat of `task_type` at `station` (in `area`) on `day` is
    /// one the link offers.
    pub fn allows(&self, area: Id, station: Id, task_type: Id, day: NaiveDate) -> bool {
        (self.areas.is_empty() || self.areas.contains(&area))
            && (self.stations.is_empty() || self.stations.contains(&station))
            && (self.task_types.is_empty() || self.task_types.contains(&task_type))
            && (self.days.is_empty() || self.days.contains(&day))
    }
}

/// A link as those who made it see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupLink {
    pub id: Id,
    pub election_id: Id,
    pub election_title: String,
    pub election_active: bool,
    pub team_id: Id,
    pub team: String,
    pub filters: LinkFilters,
    pub created_by: String,
    pub created_at: i64,
    pub revoked: bool,
    /// When the link stops working by itself (unix seconds), if ever.
    pub expires_at: Option<i64>,
}

impl SignupLink {
    /// Whether the link still opens: not closed, not past its end, and for
    /// an active election.
    pub fn works_at(&self, now: i64) -> bool {
        !self.revoked && self.election_active && self.expires_at.is_none_or(|end| now < end)
    }
}

/// A link about to be made. Only the hash of its token is kept: the link
/// itself is shown once, to the person who made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignupLink {
    pub token_hash: String,
    pub election_id: Id,
    pub team_id: Id,
    pub filters: LinkFilters,
    pub expires_at: Option<i64>,
    pub created_by: Id,
}

/// Free seats of one task at one station on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCell {
    pub station_id: Id,
    pub station: String,
    pub address: String,
    pub day: NaiveDate,
    pub task_type_id: Id,
    pub task_type: String,
    pub description: String,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub payment_dkk: i64,
    /// Seats nobody holds; 0 when the cell is full.
    pub free: i64,
    /// How many wait in the cell's standby queue.
    pub waiting: i64,
    /// The visitor's own place in that queue, counted from 1, and its id.
    pub my_place: Option<i64>,
    pub my_standby: Option<Id>,
}

/// A place in a standby queue, as the volunteer sees it under my shifts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandbyPlace {
    pub id: Id,
    pub election: String,
    pub station: String,
    pub address: String,
    pub day: NaiveDate,
    pub task_type: String,
    pub team: String,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    /// 1 for the next to be offered a seat.
    pub place: i64,
}

/// Which cell of a link a visitor picked: the station, day and task type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellChoice {
    pub station_id: Id,
    pub day: NaiveDate,
    pub task_type_id: Id,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_filters_make_a_team_link_that_allows_everything() {
        let f = LinkFilters::default();
        assert!(f.is_team_link());
        assert!(f.allows(9, 1, 2, NaiveDate::from_ymd_opt(2027, 5, 4).unwrap()));
        let f = LinkFilters {
            stations: vec![1],
            ..Default::default()
        };
        assert!(!f.is_team_link());
        assert!(!f.allows(9, 2, 2, NaiveDate::from_ymd_opt(2027, 5, 4).unwrap()));
        let f = LinkFilters {
            areas: vec![3],
            ..Default::default()
        };
        assert!(f.allows(3, 2, 2, NaiveDate::from_ymd_opt(2027, 5, 4).unwrap()));
        assert!(!f.allows(4, 2, 2, NaiveDate::from_ymd_opt(2027, 5, 4).unwrap()));
    }
}
