//! The seat plan: how many people of which team and task each station needs
//! on each day, and the state of every seat.

use super::{forms, AppError, Id};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What *Mine vagter* shows of one volunteer besides their session, read
/// together: their seats by day, whether they keep a calendar feed, the
/// standby queues they wait in, and the calls for cover offered to them
/// (each with when it runs out).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnShifts {
    pub seats: Vec<SeatDetails>,
    pub calendar_feed: bool,
    pub standby: Vec<super::signup::StandbyPlace>,
    pub cover: Vec<(SeatDetails, i64)>,
}

/// One seat with everything a message about it, or an answer to it, needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatDetails {
    pub seat_id: Id,
    pub election_id: Id,
    pub election_title: String,
    pub election_active: bool,
    pub lock_days: i64,
    pub reminders: super::elections::Reminders,
    pub station_id: Id,
    pub area_id: Id,
    pub station_name: String,
    /// "Torvet 1, 4200 Korsbæk".
    pub address: String,
    pub day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub task_type_id: Id,
    pub task_type: String,
    pub task_description: String,
    pub team_id: Id,
    pub team: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub payment_dkk: i64,
    /// The task type sends shift reminders.
    pub task_reminders: bool,
    pub status: SeatStatus,
    pub volunteer_id: Option<Id>,
    pub volunteer_name: Option<String>,
    /// "da" or "en".
    pub volunteer_language: Option<String>,
    pub invited_at: Option<i64>,
    pub respond_by: Option<i64>,
}

impl SeatDetails {
    /// The seat as a message to `volunteer` about it sees it: their id,
    /// name and language in place of the current holder's.
    pub fn with_volunteer(mut self, volunteer: &super::volunteers::Volunteer) -> Self {
        self.volunteer_id = Some(volunteer.id);
        self.volunteer_name = Some(volunteer.name.clone());
        self.volunteer_language = Some(volunteer.language.as_str().to_string());
        self
    }
}

/// Most seats one team × task cell may hold at a station on a day.
pub const MAX_SEATS_PER_CELL: i64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatStatus {
    Open,
    Invited,
    Accepted,
}

impl SeatStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invited => "invited",
            Self::Accepted => "accepted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "open" => Some(Self::Open),
            "invited" => Some(Self::Invited),
            "accepted" => Some(Self::Accepted),
            _ => None,
        }
    }
}

/// Whether the person on an accepted seat turned up on the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Arrived,
    Late,
    NoShow,
}

impl Attendance {
    pub const ALL: [Attendance; 3] = [Self::Arrived, Self::Late, Self::NoShow];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Arrived => "arrived",
            Self::Late => "late",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    /// Arrived, on time or not.
    pub fn present(self) -> bool {
        matches!(self, Self::Arrived | Self::Late)
    }
}

/// Counts of seats in one state or another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatCounts {
    pub open: i64,
    pub invited: i64,
    pub accepted: i64,
}

impl SeatCounts {
    pub fn total(&self) -> i64 {
        self.open + self.invited + self.accepted
    }

    pub fn add(&mut self, other: &SeatCounts) {
        self.open += other.open;
        self.invited += other.invited;
        self.accepted += other.accepted;
    }
}

/// One cell of the day × team × task matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatCell {
    pub team_id: Id,
    pub task_type_id: Id,
    pub counts: SeatCounts,
}

/// What must happen to a cell's seats to reach a new count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountChange {
    pub add: i64,
    /// Open seats to delete.
    pub remove_open: i64,
    /// Invitations to withdraw (their seats are deleted, kept as history).
    pub remove_invited: i64,
}

/// Plans how to go from `current` to `target` seats. Open seats go first,
/// then unanswered invitations; accepted seats are never removed by lowering
/// a count — that is refused, naming how many are accepted.
pub fn plan_count_change(current: SeatCounts, target: i64) -> Result<CountChange, AppError> {
    if target < 0 {
        return Err(AppError::invalid("counts", "error.too_small"));
    }
    if target > MAX_SEATS_PER_CELL {
        return Err(AppError::invalid("counts", "error.too_large"));
    }
    if target < current.accepted {
        return Err(AppError::refused_with(
            "seats.below_accepted",
            current.accepted,
        ));
    }
    let total = current.total();
    if target >= total {
        return Ok(CountChange {
            add: target - total,
            remove_open: 0,
            remove_invited: 0,
        });
    }
    let mut surplus = total - target;
    let remove_open = surplus.min(current.open);
    surplus -= remove_open;
    let remove_invited = surplus.min(current.invited);
    Ok(CountChange {
        add: 0,
        remove_open,
        remove_invited,
    })
}

/// The seat-count form of one station and day: `counts["c{team}-{task}"] = "n"`.
/// (The key starts with a letter: form decoding reads digit-led keys as list
/// positions.)
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SeatCountsForm {
    pub election_id: String,
    pub station_id: String,
    pub day: String,
    #[serde(default)]
    pub counts: HashMap<String, String>,
}

/// A validated request to set seat counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatCountsChange {
    pub election_id: Id,
    pub station_id: Id,
    pub day: NaiveDate,
    /// (team, task type, wanted number of seats)
    pub cells: Vec<(Id, Id, i64)>,
}

pub fn cell_key(team_id: Id, task_type_id: Id) -> String {
    format!("c{team_id}-{task_type_id}")
}

impl SeatCountsForm {
    pub fn parse(&self) -> Result<SeatCountsChange, AppError> {
        let mut cells = Vec::with_capacity(self.counts.len());
        for (key, raw) in &self.counts {
            let (team, task) = key
                .strip_prefix('c')
                .and_then(|k| k.split_once('-'))
                .ok_or_else(|| AppError::invalid("counts", "error.bad_request"))?;
            let team_id = forms::id("counts", team)?;
            let task_type_id = forms::id("counts", task)?;
            // An empty cell means zero seats.
            let n = if raw.trim().is_empty() {
                0
            } else {
                forms::int_in("counts", raw, 0, MAX_SEATS_PER_CELL)?
            };
            cells.push((team_id, task_type_id, n));
        }
        cells.sort_unstable();
        Ok(SeatCountsChange {
            election_id: forms::id("election_id", &self.election_id)?,
            station_id: forms::id("station_id", &self.station_id)?,
            day: forms::date("day", &self.day)?,
            cells,
        })
    }
}

/// Seat totals of one station in an election, for overviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationSeats {
    pub station_id: Id,
    pub station_name: String,
    pub area_name: String,
    pub counts: SeatCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(open: i64, invited: i64, accepted: i64) -> SeatCounts {
        SeatCounts {
            open,
            invited,
            accepted,
        }
    }

    #[test]
    fn raising_adds_open_seats() {
        let c = plan_count_change(counts(1, 1, 1), 5).unwrap();
        assert_eq!(c.add, 2);
        assert_eq!((c.remove_open, c.remove_invited), (0, 0));
    }

    #[test]
    fn lowering_removes_open_seats_first_then_invitations() {
        let c = plan_count_change(counts(2, 2, 1), 2).unwrap();
        assert_eq!((c.add, c.remove_open, c.remove_invited), (0, 2, 1));
    }

    #[test]
    fn accepted_seats_are_never_removed() {
        assert_eq!(
            plan_count_change(counts(0, 0, 3), 2).unwrap_err(),
            AppError::refused_with("seats.below_accepted", 3)
        );
        assert!(plan_count_change(counts(4, 0, 3), 3).is_ok());
    }

    #[test]
    fn negative_and_huge_counts_are_refused() {
        assert!(plan_count_change(counts(0, 0, 0), -1).is_err());
        assert!(plan_count_change(counts(0, 0, 0), MAX_SEATS_PER_CELL + 1).is_err());
    }

    #[test]
    fn the_form_parses_cells() {
        let mut form = SeatCountsForm {
            election_id: "1".into(),
            station_id: "2".into(),
            day: "2027-06-01".into(),
            counts: HashMap::new(),
        };
        form.counts.insert("c3-4".into(), "5".into());
        form.counts.insert("c3-5".into(), "".into());
        let change = form.parse().unwrap();
        assert_eq!(change.cells, vec![(3, 4, 5), (3, 5, 0)]);
        form.counts.insert("c3-6".into(), "-1".into());
        assert!(form.parse().is_err());
        form.counts.remove("c3-6");
        form.counts.insert("x".into(), "1".into());
        assert!(form.parse().is_err());
    }
}
