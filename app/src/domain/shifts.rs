//! When a shift happens, and whether two shifts collide.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// The clock times of a task type. An end before the start means the shift
/// runs past midnight into the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftTimes {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// A concrete shift: a task's times on one day, in local (Danish) time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub day: NaiveDate,
    pub times: ShiftTimes,
}

impl Shift {
    pub fn new(day: NaiveDate, start: NaiveTime, end: NaiveTime) -> Self {
        Shift {
            day,
            times: ShiftTimes { start, end },
        }
    }

    /// When the shift starts, in unix seconds (Danish wall clock).
    pub fn starts_unix(&self) -> i64 {
        crate::i18n::copenhagen_to_unix(self.day, self.times.start)
    }

    /// When the shift ends, in unix seconds (Danish wall clock).
    pub fn ends_unix(&self) -> i64 {
        let end = self.ends_at();
        crate::i18n::copenhagen_to_unix(end.date(), end.time())
    }

    /// Nobody takes, accepts or covers a seat once its shift has begun: what
    /// happened on the day is the office's to record, not a self-service
    /// sign-up after the fact (and payroll must not pay it).
    pub fn refuse_if_started(&self, now: i64) -> Result<(), crate::domain::AppError> {
        if self.starts_unix() <= now {
            Err(crate::domain::AppError::refused("shifts.started"))
        } else {
            Ok(())
        }
    }

    pub fn starts_at(&self) -> NaiveDateTime {
        self.day.and_time(self.times.start)
    }

    pub fn ends_at(&self) -> NaiveDateTime {
        let end_day = if self.times.end <= self.times.start {
            self.day + Duration::days(1)
        } else {
            self.day
        };
        end_day.and_time(self.times.end)
    }

    /// Two shifts overlap when each starts before the other ends. Touching
    /// (one ends at 16:00, the next starts at 16:00) is not an overlap.
    pub fn overlaps(&self, other: &Shift) -> bool {
        self.starts_at() < other.ends_at() && other.starts_at() < self.ends_at()
    }
}

/// Whether `candidate` collides with any of a person's other shifts.
pub fn first_overlap<'a>(
    candidate: &Shift,
    others: impl IntoIterator<Item = &'a Shift>,
) -> Option<&'a Shift> {
    others.into_iter().find(|s| candidate.overlaps(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 6, day).unwrap()
    }

    #[test]
    fn same_day_overlap() {
        let a = Shift::new(d(1), t(7, 0), t(16, 0));
        let b = Shift::new(d(1), t(15, 0), t(20, 0));
        assert!(a.overlaps(&b));
        assert!(b.overlaps(&a));
    }

    #[test]
    fn touching_shifts_do_not_overlap() {
        let a = Shift::new(d(1), t(8, 0), t(16, 0));
        let b = Shift::new(d(1), t(16, 0), t(23, 59));
        assert!(!a.overlaps(&b));
    }

    #[test]
    fn a_night_shift_reaches_into_the_next_day() {
        let count = Shift::new(d(1), t(20, 0), t(2, 0));
        assert_eq!(count.ends_at(), d(2).and_time(t(2, 0)));
        let early_next_day = Shift::new(d(2), t(1, 0), t(6, 0));
        assert!(count.overlaps(&early_next_day));
        let morning_next_day = Shift::new(d(2), t(8, 0), t(16, 0));
        assert!(!count.overlaps(&morning_next_day));
        let previous_evening = Shift::new(d(1), t(17, 0), t(21, 0));
        assert!(count.overlaps(&previous_evening));
    }

    #[test]
    fn different_days_do_not_overlap() {
        let a = Shift::new(d(1), t(7, 0), t(23, 0));
        let b = Shift::new(d(2), t(7, 0), t(23, 0));
        assert!(first_overlap(&a, [&b]).is_none());
    }
}
