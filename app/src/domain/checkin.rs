//! Check-in marks made on a station's device, often without a network, and
//! sent later: the rules that decide what each one does to its seat when it
//! finally arrives, perhaps after another tablet or the office has changed
//! the seat.

use super::seats::Attendance;
use super::Id;
use serde::{Deserialize, Serialize};

/// How far back a device's clock is believed: a mark said to be older than
/// this (a tablet whose clock was never set) counts as made now.
pub const OLDEST_BELIEVED_SECS: i64 = 7 * 24 * 3600;

/// One tap on a station's device: the person (`volunteer_id`) it showed on
/// the seat, what the seat showed before the tap (`seen`), the new mark
/// (`None` undoes), and the device's time of the tap. `key` is made once
/// per tap on the device, so a mark sent twice is taken once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinMark {
    pub key: String,
    pub seat_id: Id,
    pub volunteer_id: Id,
    pub seen: Option<Attendance>,
    pub attendance: Option<Attendance>,
    pub at: i64,
}

impl CheckinMark {
    /// The device's time, as far as it is believed: never in the future,
    /// never older than [`OLDEST_BELIEVED_SECS`].
    pub fn believed_at(&self, now: i64) -> i64 {
        if self.at > now || self.at < now - OLDEST_BELIEVED_SECS {
            now
        } else {
            self.at
        }
    }
}

/// A seat as the database has it when a mark arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatNow {
    /// Who holds the seat (accepted), if anyone does.
    pub holder: Option<Id>,
    pub attendance: Option<Attendance>,
    pub attendance_at: Option<i64>,
}

/// What became of a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The seat now shows the mark.
    Applied,
    /// Another device had checked the person in too: one check-in, at the
    /// earliest time of the two.
    Merged,
    /// Someone else marked the seat meanwhile and that stands (a no-show
    /// arriving after somebody saw the person come).
    Stale,
    /// The office took the person off the seat meanwhile: the check-in is
    /// kept on the seat's history and flagged on the board.
    Flagged,
    /// An undo after the seat was changed elsewhere: nothing happens.
    Refused,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Self::Applied,
        Self::Merged,
        Self::Stale,
        Self::Flagged,
        Self::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Merged => "merged",
            Self::Stale => "stale",
            Self::Flagged => "flagged",
            Self::Refused => "refused",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == raw)
    }
}

/// What a mark does: its outcome, and the seat's new attendance and time
/// when it changes the seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    pub set: Option<(Option<Attendance>, Option<i64>)>,
}

impl Decision {
    fn keep(outcome: Outcome) -> Self {
        Decision { outcome, set: None }
    }

    fn set(outcome: Outcome, attendance: Option<Attendance>, at: i64) -> Self {
        Decision {
            outcome,
            set: Some((attendance, attendance.map(|_| at))),
        }
    }
}

/// The rules, for a mark believed made at `at`:
/// - the seat is no longer the person's: a check-in is kept and flagged, a
///   no-show is moot, an undo is refused;
/// - the device saw the seat as it is: the mark applies (a check-in on top
///   of a check-in keeps the earliest);
/// - someone changed it meanwhile: two check-ins are one, at the earliest
///   time; a check-in beats a no-show (the person was seen); a no-show does
///   not undo a check-in; an undo is refused.
pub fn decide(seat: SeatNow, mark: &CheckinMark, at: i64) -> Decision {
    if seat.holder != Some(mark.volunteer_id) {
        return Decision::keep(match mark.attendance {
            Some(a) if a.present() => Outcome::Flagged,
            Some(_) => Outcome::Stale,
            None => Outcome::Refused,
        });
    }
    let current = seat.attendance;
    let both_present = current.is_some_and(Attendance::present)
        && mark.attendance.is_some_and(Attendance::present);
    if both_present {
        // One check-in: the earliest, with its own kind (on time or late).
        let outcome = if current == mark.seen {
            Outcome::Applied
        } else {
            Outcome::Merged
        };
        let earlier = seat.attendance_at.is_none_or(|then| at < then);
        return if earlier {
            Decision::set(outcome, mark.attendance, at)
        } else if current == mark.seen && current != mark.attendance {
            // The same device changes on time to late (or back): kept
            // at the first time.
            Decision::set(outcome, mark.attendance, seat.attendance_at.unwrap_or(at))
        } else {
            Decision::keep(outcome)
        };
    }
    if current == mark.seen || current.is_none() {
        return Decision::set(Outcome::Applied, mark.attendance, at);
    }
    match mark.attendance {
        Some(a) if a.present() => Decision::set(Outcome::Applied, mark.attendance, at),
        Some(_) => Decision::keep(Outcome::Stale),
        None => Decision::keep(Outcome::Refused),
    }
}

/// What a mark became, and the seat's attendance afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub outcome: Outcome,
    pub attendance: Option<Attendance>,
    pub attendance_at: Option<i64>,
}

/// A check-in kept for a person the office had taken off the seat, shown
/// on the board until someone there has looked at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinFlag {
    pub id: Id,
    pub election_id: Id,
    pub area_id: Id,
    pub station_id: Id,
    pub station: String,
    pub seat_id: Id,
    pub name: String,
    pub at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use Attendance::*;

    const KAREN: Id = 7;
    const NOW: i64 = 1_000_000;

    fn mark(seen: Option<Attendance>, attendance: Option<Attendance>, at: i64) -> CheckinMark {
        CheckinMark {
            key: "k".into(),
            seat_id: 1,
            volunteer_id: KAREN,
            seen,
            attendance,
            at,
        }
    }

    fn seat(attendance: Option<Attendance>, at: Option<i64>) -> SeatNow {
        SeatNow {
            holder: Some(KAREN),
            attendance,
            attendance_at: at,
        }
    }

    #[test]
    fn a_mark_on_an_unchanged_seat_applies() {
        let d = decide(seat(None, None), &mark(None, Some(Arrived), 100), 100);
        assert_eq!(d, Decision::set(Outcome::Applied, Some(Arrived), 100));
        let undo = decide(
            seat(Some(Arrived), Some(100)),
            &mark(Some(Arrived), None, 120),
            120,
        );
        assert_eq!(undo.outcome, Outcome::Applied);
        assert_eq!(undo.set, Some((None, None)));
    }

    #[test]
    fn two_tablets_checking_in_one_person_make_one_check_in_at_the_earliest_time() {
        // The later tablet's mark arrives second.
        let d = decide(
            seat(Some(Arrived), Some(100)),
            &mark(None, Some(Arrived), 150),
            150,
        );
        assert_eq!(d, Decision::keep(Outcome::Merged));
        // The earlier one arrives second.
        let d = decide(
            seat(Some(Arrived), Some(150)),
            &mark(None, Some(Late), 100),
            100,
        );
        assert_eq!(d, Decision::set(Outcome::Merged, Some(Late), 100));
    }

    #[test]
    fn a_check_in_for_someone_taken_off_the_seat_is_flagged_and_an_undo_refused() {
        let moved = SeatNow {
            holder: Some(99),
            attendance: None,
            attendance_at: None,
        };
        assert_eq!(
            decide(moved, &mark(None, Some(Arrived), 100), 100),
            Decision::keep(Outcome::Flagged)
        );
        assert_eq!(
            decide(moved, &mark(Some(Arrived), None, 100), 100),
            Decision::keep(Outcome::Refused)
        );
        assert_eq!(
            decide(moved, &mark(None, Some(NoShow), 100), 100),
            Decision::keep(Outcome::Stale)
        );
        let open = SeatNow {
            holder: None,
            ..moved
        };
        assert_eq!(
            decide(open, &mark(None, Some(Late), 100), 100).outcome,
            Outcome::Flagged
        );
    }

    #[test]
    fn a_check_in_beats_a_no_show_it_did_not_know_of_but_not_the_other_way_round() {
        let no_show = seat(Some(NoShow), Some(200));
        assert_eq!(
            decide(no_show, &mark(None, Some(Arrived), 100), 100),
            Decision::set(Outcome::Applied, Some(Arrived), 100)
        );
        let arrived = seat(Some(Arrived), Some(100));
        assert_eq!(
            decide(arrived, &mark(None, Some(NoShow), 200), 200),
            Decision::keep(Outcome::Stale)
        );
        // An undo of something the device did not see is refused.
        assert_eq!(
            decide(arrived, &mark(Some(NoShow), None, 200), 200),
            Decision::keep(Outcome::Refused)
        );
    }

    #[test]
    fn the_same_device_correcting_on_time_to_late_keeps_the_first_time() {
        let d = decide(
            seat(Some(Arrived), Some(100)),
            &mark(Some(Arrived), Some(Late), 130),
            130,
        );
        assert_eq!(d, Decision::set(Outcome::Applied, Some(Late), 100));
    }

    #[test]
    fn a_device_clock_is_believed_only_within_reason() {
        assert_eq!(mark(None, None, NOW - 60).believed_at(NOW), NOW - 60);
        assert_eq!(mark(None, None, NOW + 60).believed_at(NOW), NOW);
        assert_eq!(mark(None, None, 0).believed_at(NOW), NOW);
    }

    #[test]
    fn outcomes_read_back() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }
}
