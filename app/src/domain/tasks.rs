use super::{forms, shifts::ShiftTimes, AppError, Id};
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// A kind of work at a station (Tilforordnet, Valgstyrer, Fintæller …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskType {
    pub id: Id,
    pub title: String,
    pub short_name: String,
    pub description: String,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub payment_dkk: i64,
    /// Never listed publicly; volunteers get it only by invitation.
    pub trusted: bool,
    /// Election-type eligibility rules are not checked for this task.
    pub eligibility_checks_off: bool,
    pub reminders: bool,
}

impl TaskType {
    pub fn times(&self) -> ShiftTimes {
        ShiftTimes {
            start: self.start_time,
            end: self.end_time,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTaskType {
    pub title: String,
    pub short_name: String,
    pub description: String,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub payment_dkk: i64,
    pub trusted: bool,
    pub eligibility_checks_off: bool,
    pub reminders: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TaskTypeForm {
    pub title: String,
    pub short_name: String,
    pub description: String,
    pub start_time: String,
    pub end_time: String,
    pub payment_dkk: String,
    pub trusted: Option<String>,
    pub eligibility_checks_off: Option<String>,
    pub reminders: Option<String>,
}

pub const MAX_PAYMENT_DKK: i64 = 100_000;

impl TaskTypeForm {
    pub fn parse(&self) -> Result<NewTaskType, AppError> {
        let short_name = forms::required_text("short_name", &self.short_name)?;
        if short_name.chars().count() > 12 {
            return Err(AppError::invalid("short_name", "error.too_long"));
        }
        let start_time = forms::time("start_time", &self.start_time)?;
        let end_time = forms::time("end_time", &self.end_time)?;
        // A shift may cross midnight (end earlier than start), but it cannot
        // last zero minutes.
        if start_time == end_time {
            return Err(AppError::invalid("end_time", "error.end_equals_start"));
        }
        Ok(NewTaskType {
            title: forms::required_text("title", &self.title)?,
            short_name,
            description: forms::optional_text(
                "description",
                &self.description,
                forms::MAX_LONG_TEXT,
            )?,
            start_time,
            end_time,
            payment_dkk: forms::int_in("payment_dkk", &self.payment_dkk, 0, MAX_PAYMENT_DKK)?,
            trusted: forms::checkbox(&self.trusted),
            eligibility_checks_off: forms::checkbox(&self.eligibility_checks_off),
            reminders: forms::checkbox(&self.reminders),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> TaskTypeForm {
        TaskTypeForm {
            title: "Fintæller".into(),
            short_name: "FINT".into(),
            description: "Fintælling dagen efter valget.".into(),
            start_time: "20:00".into(),
            end_time: "02:00".into(),
            payment_dkk: "800".into(),
            trusted: None,
            eligibility_checks_off: Some("on".into()),
            reminders: Some("on".into()),
        }
    }

    #[test]
    fn shifts_may_cross_midnight() {
        let t = form().parse().unwrap();
        assert!(t.end_time < t.start_time);
        assert!(t.eligibility_checks_off);
        assert!(!t.trusted);
    }

    #[test]
    fn zero_length_shift_is_refused() {
        let mut f = form();
        f.end_time = "20:00".into();
        assert_eq!(
            f.parse().unwrap_err(),
            AppError::invalid("end_time", "error.end_equals_start")
        );
    }

    #[test]
    fn negative_payment_is_refused() {
        let mut f = form();
        f.payment_dkk = "-5".into();
        assert!(f.parse().is_err());
    }
}
