use super::{forms, AppError, Id};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Which citizenship an election type demands of its volunteers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CitizenshipRule {
    /// Anyone may serve.
    Any,
    /// Citizens of an EU member state (Danes included).
    Eu,
    /// Danish citizens only.
    Danish,
}

impl CitizenshipRule {
    pub const ALL: [CitizenshipRule; 3] = [Self::Any, Self::Eu, Self::Danish];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::Eu => "eu",
            Self::Danish => "danish",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }
}

/// An election type and the eligibility rules that come with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionType {
    pub id: Id,
    pub title: String,
    pub rules: EligibilityRules,
    /// How many elections use this type (a type in use cannot be deleted).
    pub elections: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityRules {
    pub min_age_18: bool,
    pub resident: bool,
    pub citizenship: CitizenshipRule,
    pub not_under_guardianship: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewElectionType {
    pub title: String,
    pub rules: EligibilityRules,
}

/// The election-type form as the browser sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ElectionTypeForm {
    pub title: String,
    pub min_age_18: Option<String>,
    pub resident: Option<String>,
    pub citizenship: String,
    pub not_under_guardianship: Option<String>,
}

impl ElectionTypeForm {
    pub fn parse(&self) -> Result<NewElectionType, AppError> {
        Ok(NewElectionType {
            title: forms::required_text("title", &self.title)?,
            rules: EligibilityRules {
                min_age_18: forms::checkbox(&self.min_age_18),
                resident: forms::checkbox(&self.resident),
                citizenship: CitizenshipRule::parse(self.citizenship.trim())
                    .ok_or_else(|| AppError::invalid("citizenship", "error.unknown_choice"))?,
                not_under_guardianship: forms::checkbox(&self.not_under_guardianship),
            },
        })
    }
}

/// The Danish election types every new installation starts with, each with
/// the franchise its law gives (tilforordnede and valgstyrere must have the
/// vote at the election they serve): README, "Eligibility by law".
pub fn seeded_election_types() -> Vec<NewElectionType> {
    let rules = |citizenship, not_under_guardianship| EligibilityRules {
        min_age_18: true,
        resident: true,
        citizenship,
        not_under_guardianship,
    };
    vec![
        // Grundloven § 29 and folketingsvalgloven § 1: Danish citizens, 18,
        // living in the realm, not deprived of legal capacity.
        NewElectionType {
            title: "Folketingsvalg og folkeafstemning".into(),
            rules: rules(CitizenshipRule::Danish, true),
        },
        // Kommunal- og regionalvalgloven § 1: residents of the municipality,
        // Danes, EU/Nordic citizens and others after years of residence;
        // guardianship no longer excludes (the 2016 amendment).
        NewElectionType {
            title: "Kommunal- og regionsrådsvalg".into(),
            rules: rules(CitizenshipRule::Any, false),
        },
        // Europa-Parlamentsvalgloven § 3: Danes and EU citizens living here;
        // guardianship no longer excludes (the 2016 amendment).
        NewElectionType {
            title: "Europa-Parlamentsvalg".into(),
            rules: rules(CitizenshipRule::Eu, false),
        },
    ]
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    pub id: Id,
    pub title: String,
    pub election_type_id: Id,
    pub election_type_title: String,
    pub election_day: NaiveDate,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub lock_days: i64,
    pub active: bool,
    pub station_ids: Vec<Id>,
    pub reminders: Reminders,
}

/// When people are reminded, per election.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminders {
    /// Remind of an unanswered invitation every this many days (0: never).
    pub invite_every_days: i64,
    /// Remind of an accepted shift this many days before (0: never).
    pub shift_days_before: i64,
    /// And again on the morning of the shift.
    pub morning: bool,
}

impl Default for Reminders {
    fn default() -> Self {
        Reminders {
            invite_every_days: 3,
            shift_days_before: 2,
            morning: true,
        }
    }
}

pub const MAX_REMINDER_DAYS: i64 = 30;

impl Election {
    /// Every day on which this election has work, first to last.
    pub fn days(&self) -> Vec<NaiveDate> {
        work_days(self.first_day, self.last_day)
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        day >= self.first_day && day <= self.last_day
    }
}

pub fn work_days(first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    first.iter_days().take_while(|d| *d <= last).collect()
}

/// An election as validated, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewElection {
    pub title: String,
    pub election_type_id: Id,
    pub election_day: NaiveDate,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub lock_days: i64,
    pub active: bool,
    pub station_ids: Vec<Id>,
    pub reminders: Reminders,
}

/// Work may start at most this long before election day (postal votes) …
pub const MAX_DAYS_BEFORE: i64 = 90;
/// … and end at most this long after it (recounts).
pub const MAX_DAYS_AFTER: i64 = 30;
pub const MAX_LOCK_DAYS: i64 = 60;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ElectionForm {
    pub title: String,
    pub election_type_id: String,
    pub election_day: String,
    pub first_day: String,
    pub last_day: String,
    pub lock_days: String,
    pub active: Option<String>,
    /// Checked polling stations, as ids.
    #[serde(default)]
    pub stations: Vec<String>,
    /// Empty means the default.
    #[serde(default)]
    pub invite_reminder_days: String,
    #[serde(default)]
    pub shift_reminder_days: String,
    pub morning_reminder: Option<String>,
}

impl ElectionForm {
    pub fn parse(&self) -> Result<NewElection, AppError> {
        let title = forms::required_text("title", &self.title)?;
        let election_type_id = forms::id("election_type_id", &self.election_type_id)?;
        let election_day = forms::date("election_day", &self.election_day)?;
        let first_day = forms::date("first_day", &self.first_day)?;
        let last_day = forms::date("last_day", &self.last_day)?;
        let lock_days = forms::int_in("lock_days", &self.lock_days, 0, MAX_LOCK_DAYS)?;
        let station_ids = self
            .stations
            .iter()
            .map(|s| forms::id("stations", s))
            .collect::<Result<Vec<_>, _>>()?;
        let election = NewElection {
            title,
            election_type_id,
            election_day,
            first_day,
            last_day,
            lock_days,
            active: forms::checkbox(&self.active),
            station_ids,
            reminders: Reminders {
                invite_every_days: days_or("invite_reminder_days", &self.invite_reminder_days, 3)?,
                shift_days_before: days_or("shift_reminder_days", &self.shift_reminder_days, 2)?,
                morning: forms::checkbox(&self.morning_reminder),
            },
        };
        election.check_dates()?;
        Ok(election)
    }
}

fn days_or(field: &str, raw: &str, default: i64) -> Result<i64, AppError> {
    if raw.trim().is_empty() {
        Ok(default)
    } else {
        forms::int_in(field, raw, 0, MAX_REMINDER_DAYS)
    }
}

impl NewElection {
    /// Election day must lie inside the work period, and the period must be sane.
    pub fn check_dates(&self) -> Result<(), AppError> {
        if self.last_day < self.first_day {
            return Err(AppError::invalid("last_day", "error.end_before_start"));
        }
        if self.election_day < self.first_day || self.election_day > self.last_day {
            return Err(AppError::invalid(
                "election_day",
                "error.election_day_outside",
            ));
        }
        if (self.election_day - self.first_day).num_days() > MAX_DAYS_BEFORE {
            return Err(AppError::invalid("first_day", "error.too_early"));
        }
        if (self.last_day - self.election_day).num_days() > MAX_DAYS_AFTER {
            return Err(AppError::invalid("last_day", "error.too_late"));
        }
        Ok(())
    }
}

/// What a copy of an election is made from: a new title and election day.
/// Everything else (stations, seat plan, settings) is carried over, shifted
/// by the same number of days; people are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionCopy {
    pub source_id: Id,
    pub title: String,
    pub election_day: NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ElectionCopyForm {
    pub source_id: String,
    pub title: String,
    pub election_day: String,
}

impl ElectionCopyForm {
    pub fn parse(&self) -> Result<ElectionCopy, AppError> {
        Ok(ElectionCopy {
            source_id: forms::id("source_id", &self.source_id)?,
            title: forms::required_text("title", &self.title)?,
            election_day: forms::date("election_day", &self.election_day)?,
        })
    }
}

impl ElectionCopy {
    /// The number of days everything moves by.
    pub fn offset(&self, source: &Election) -> Duration {
        self.election_day - source.election_day
    }
}

/// A volunteer may cancel an accepted shift themselves only before the lock
/// period: `lock_days` whole days before the shift's date, the lock begins.
pub fn may_self_cancel(shift_day: NaiveDate, today: NaiveDate, lock_days: i64) -> bool {
    today < shift_day - Duration::days(lock_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_general_election_s_law_excludes_people_under_guardianship() {
        let seeded = seeded_election_types();
        let rule = |title: &str| {
            seeded
                .iter()
                .find(|t| t.title.starts_with(title))
                .map(|t| t.rules)
                .unwrap()
        };
        let general = rule("Folketingsvalg");
        assert!(general.not_under_guardianship);
        assert_eq!(general.citizenship, CitizenshipRule::Danish);
        let local = rule("Kommunal");
        assert!(!local.not_under_guardianship);
        assert_eq!(local.citizenship, CitizenshipRule::Any);
        let european = rule("Europa");
        assert!(!european.not_under_guardianship);
        assert_eq!(european.citizenship, CitizenshipRule::Eu);
        assert!(seeded
            .iter()
            .all(|t| t.rules.min_age_18 && t.rules.resident));
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn form() -> ElectionForm {
        ElectionForm {
            title: "Folketingsvalg 2027".into(),
            election_type_id: "1".into(),
            election_day: "2027-06-01".into(),
            first_day: "2027-05-10".into(),
            last_day: "2027-06-02".into(),
            lock_days: "7".into(),
            active: Some("on".into()),
            stations: vec!["3".into(), "4".into()],
            invite_reminder_days: "".into(),
            shift_reminder_days: "5".into(),
            morning_reminder: None,
        }
    }

    #[test]
    fn reminders_default_when_left_empty_and_are_bounded() {
        let e = form().parse().unwrap();
        assert_eq!(e.reminders.invite_every_days, 3);
        assert_eq!(e.reminders.shift_days_before, 5);
        assert!(!e.reminders.morning);
        let mut f = form();
        f.invite_reminder_days = "31".into();
        assert_eq!(
            f.parse().unwrap_err(),
            AppError::invalid("invite_reminder_days", "error.too_large")
        );
    }

    #[test]
    fn a_good_election_parses() {
        let e = form().parse().unwrap();
        assert_eq!(e.lock_days, 7);
        assert!(e.active);
        assert_eq!(e.station_ids, vec![3, 4]);
    }

    #[test]
    fn election_day_must_be_inside_the_period() {
        let mut f = form();
        f.election_day = "2027-06-03".into();
        assert_eq!(
            f.parse().unwrap_err(),
            AppError::invalid("election_day", "error.election_day_outside")
        );
    }

    #[test]
    fn end_before_start_is_refused() {
        let mut f = form();
        f.last_day = "2027-05-01".into();
        assert_eq!(
            f.parse().unwrap_err(),
            AppError::invalid("last_day", "error.end_before_start")
        );
    }

    #[test]
    fn negative_lock_period_is_refused() {
        let mut f = form();
        f.lock_days = "-2".into();
        assert!(f.parse().is_err());
    }

    #[test]
    fn lock_period_blocks_cancelling_close_to_the_shift() {
        let shift = d("2027-06-01");
        assert!(may_self_cancel(shift, d("2027-05-24"), 7));
        assert!(!may_self_cancel(shift, d("2027-05-25"), 7));
        assert!(!may_self_cancel(shift, d("2027-06-01"), 7));
        assert!(!may_self_cancel(shift, d("2027-06-02"), 0));
        assert!(may_self_cancel(shift, d("2027-05-31"), 0));
    }

    #[test]
    fn work_days_include_both_ends() {
        assert_eq!(work_days(d("2027-05-30"), d("2027-06-01")).len(), 3);
        assert!(work_days(d("2027-06-02"), d("2027-06-01")).is_empty());
    }
}
