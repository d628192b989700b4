//! Call for cover: an open seat offered to a whole group at once (its
//! standby queue, its team, or every eligible candidate). The first to take
//! it gets it; the others are told it has gone.

use super::seats::SeatStatus;
use super::{AppError, Id};
use serde::{Deserialize, Serialize};

/// Who a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverGroup {
    /// Those waiting in the seat's standby queue.
    Standby,
    /// Members of the seat's team.
    Team,
    /// Every eligible candidate (queue, team and the nearest others).
    Candidates,
}

impl CoverGroup {
    pub const ALL: [CoverGroup; 3] = [Self::Standby, Self::Team, Self::Candidates];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standby => "standby",
            Self::Team => "team",
            Self::Candidates => "candidates",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == raw)
            .ok_or_else(|| AppError::invalid(field, "error.unknown_choice"))
    }

    /// Whether a candidate (their place in the queue, on the team) belongs.
    pub fn includes(self, standby_place: Option<i64>, team_member: bool) -> bool {
        match self {
            Self::Standby => standby_place.is_some(),
            Self::Team => team_member,
            Self::Candidates => true,
        }
    }
}

/// Most people one call goes to.
pub const MAX_RECIPIENTS: usize = 100;
/// Most hours a call stays open.
pub const MAX_HOURS: i64 = 72;

/// One call, with who it went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverCall {
    pub id: Id,
    pub seat_id: Id,
    pub created_at: i64,
    pub expires_at: i64,
    pub closed_at: Option<i64>,
    pub taken_by: Option<Id>,
    /// Everyone it went to.
    pub offered: Vec<Id>,
    /// Those who said no.
    pub declined: Vec<Id>,
}

impl CoverCall {
    /// Those to tell when someone takes the seat: everyone asked who has not
    /// said no, except the one who took it.
    pub fn to_tell(&self, taker: Id) -> Vec<Id> {
        self.offered
            .iter()
            .copied()
            .filter(|v| *v != taker && !self.declined.contains(v))
            .collect()
    }

    /// How the call stands for one person it went to, given the seat as it
    /// is now.
    pub fn state_for(
        &self,
        volunteer: Id,
        seat_status: SeatStatus,
        seat_holder: Option<Id>,
        now: i64,
    ) -> CoverState {
        if seat_holder == Some(volunteer) {
            CoverState::Yours
        } else if seat_status != SeatStatus::Open || self.taken_by.is_some() {
            CoverState::Taken
        } else if self.declined.contains(&volunteer) {
            CoverState::Declined
        } else if self.closed_at.is_some() || self.expires_at <= now {
            CoverState::Closed
        } else {
            CoverState::Open
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverState {
    /// It can be taken.
    Open,
    /// This person has the seat.
    Yours,
    /// Someone else got it.
    Taken,
    /// This person said no.
    Declined,
    /// It ran out or was replaced by a newer call.
    Closed,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> CoverCall {
        CoverCall {
            id: 1,
            seat_id: 9,
            created_at: 0,
            expires_at: 100,
            closed_at: None,
            taken_by: None,
            offered: vec![1, 2, 3],
            declined: vec![3],
        }
    }

    #[test]
    fn the_others_who_did_not_say_no_are_told() {
        assert_eq!(call().to_tell(1), vec![2]);
    }

    #[test]
    fn state_follows_the_seat_and_the_clock() {
        let c = call();
        assert_eq!(c.state_for(1, SeatStatus::Open, None, 50), CoverState::Open);
        assert_eq!(
            c.state_for(1, SeatStatus::Open, None, 100),
            CoverState::Closed
        );
        assert_eq!(
            c.state_for(3, SeatStatus::Open, None, 50),
            CoverState::Declined
        );
        assert_eq!(
            c.state_for(1, SeatStatus::Accepted, Some(2), 50),
            CoverState::Taken
        );
        assert_eq!(
            c.state_for(2, SeatStatus::Accepted, Some(2), 50),
            CoverState::Yours
        );
    }

    #[test]
    fn groups_pick_their_people() {
        assert!(CoverGroup::Standby.includes(Some(1), false));
        assert!(!CoverGroup::Standby.includes(None, true));
        assert!(CoverGroup::Team.includes(None, true));
        assert!(CoverGroup::Candidates.includes(None, false));
        assert!(CoverGroup::parse("group", "nobody").is_err());
    }
}
