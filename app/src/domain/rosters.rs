//! Who sits where: a station's roster for its managers, a team's members and
//! their shifts for its leaders, and one person's shifts.

use super::seats::SeatStatus;
use super::Id;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// One seat a person holds (invited or accepted), as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonShift {
    pub seat_id: Id,
    pub election_title: String,
    pub station_name: String,
    pub day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub task_type: String,
    pub team: String,
    pub status: SeatStatus,
}

/// How to reach a person. `None` where the viewer may not see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub volunteer_id: Id,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One seat of a station's roster, open or held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterLine {
    pub seat_id: Id,
    pub day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub task_type: String,
    pub team: String,
    pub status: SeatStatus,
    pub person: Option<Contact>,
    /// Whether they turned up (accepted seats, on the day).
    pub attendance: Option<super::seats::Attendance>,
    /// When they were marked: for two check-ins of one person, the earlier.
    pub attendance_at: Option<i64>,
    /// Who was on the seat before and what happened, oldest first.
    pub history: Vec<SeatHistoryEntry>,
}

/// A person who was on a seat and left it: declined, cancelled, removed …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatHistoryEntry {
    /// "declined", "cancelled", "removed", "withdrawn" or "expired".
    pub event: String,
    pub name: String,
    pub reason: String,
    pub at: i64,
}

/// A member of a team, with their shifts for that team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub contact: Contact,
    /// The member agreed that the team's leaders may see phone and email.
    pub share_contact: bool,
    pub shifts: Vec<PersonShift>,
}

impl TeamMember {
    /// Hides phone and email unless the member agreed to share them.
    pub fn for_team_leader(mut self) -> Self {
        if !self.share_contact {
            self.contact.phone = None;
            self.contact.email = None;
        }
        self
    }

    /// Hides phone and email: for those who may see the team but are not
    /// its leaders (the member agreed to share with those only).
    pub fn without_contact(mut self) -> Self {
        self.contact.phone = None;
        self.contact.email = None;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(share_contact: bool) -> TeamMember {
        TeamMember {
            contact: Contact {
                volunteer_id: 1,
                name: "Karen".into(),
                phone: Some("+4512345678".into()),
                email: Some("karen@example.dk".into()),
            },
            share_contact,
            shifts: vec![],
        }
    }

    #[test]
    fn team_leaders_see_contact_data_only_when_shared() {
        let hidden = member(false).for_team_leader();
        assert_eq!(hidden.contact.phone, None);
        assert_eq!(hidden.contact.email, None);
        assert_eq!(hidden.contact.name, "Karen");
        let shared = member(true).for_team_leader();
        assert!(shared.contact.phone.is_some() && shared.contact.email.is_some());
    }
}
