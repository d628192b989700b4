//! Merging two records of the same person: everything of the duplicate
//! (seats, history, teams, queues, messages, notes, their account) moves to
//! the record that stays, and the duplicate goes. What would clash is shown
//! before anything happens.

use super::rosters::PersonShift;
use super::shifts::Shift;
use super::Id;
use serde::{Deserialize, Serialize};

/// What stops a merge, or what it will do that the office should know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MergeConflict {
    /// The two hold seats at the same time (one of them must go first).
    OverlappingShifts { kept: Id, duplicate: Id },
    /// The duplicate's account has staff roles: an administrator must take
    /// them away first, or merge the other way round.
    StaffAccount,
    /// Both have accounts: the duplicate's (its passkeys and push devices)
    /// is closed. Does not stop the merge.
    BothAccounts,
    /// The addresses differ: the kept record's stays. Does not stop it.
    OtherEmail(String),
}

impl MergeConflict {
    /// Whether the merge must wait until it is resolved.
    pub fn blocks(&self) -> bool {
        matches!(self, Self::OverlappingShifts { .. } | Self::StaffAccount)
    }
}

/// What a merge would move.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeCounts {
    pub seats: i64,
    pub history: i64,
    pub teams: i64,
    pub messages: i64,
    pub notes: i64,
}

/// The seat pairs of two people that are at the same time, as (kept,
/// duplicate) seat ids.
pub fn overlapping_seats(kept: &[PersonShift], duplicate: &[PersonShift]) -> Vec<(Id, Id)> {
    let shift = |s: &PersonShift| Shift::new(s.day, s.start_time, s.end_time);
    let mut pairs = Vec::new();
    for a in kept {
        for b in duplicate {
            if shift(a).overlaps(&shift(b)) {
                pairs.push((a.seat_id, b.seat_id));
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::seats::SeatStatus;
    use chrono::{NaiveDate, NaiveTime};

    fn seat(id: Id, day: &str, start: u32, end: u32) -> PersonShift {
        PersonShift {
            seat_id: id,
            election_title: "Valg".into(),
            station_name: "Skolen".into(),
            day: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
            start_time: NaiveTime::from_hms_opt(start, 0, 0).unwrap(),
            end_time: NaiveTime::from_hms_opt(end, 0, 0).unwrap(),
            task_type: "Tilforordnet".into(),
            team: "A".into(),
            status: SeatStatus::Accepted,
        }
    }

    #[test]
    fn only_shifts_at_the_same_time_clash() {
        let kept = [seat(1, "2027-05-04", 7, 20), seat(2, "2027-05-05", 8, 12)];
        let dup = [seat(3, "2027-05-04", 19, 23), seat(4, "2027-05-05", 13, 15)];
        assert_eq!(overlapping_seats(&kept, &dup), vec![(1, 3)]);
        assert!(MergeConflict::StaffAccount.blocks());
        assert!(!MergeConflict::BothAccounts.blocks());
    }
}
