//! The office's participant register (*Deltagere*): everyone on record,
//! whether or not they hold a seat, found by name, email or phone and
//! narrowed by filters, a page at a time.

use super::volunteers::Language;
use super::{AppError, Id};
use serde::{Deserialize, Serialize};

/// People per page.
pub const PAGE_SIZE: i64 = 50;

/// What a person's seats say about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeatFilter {
    /// Holds a seat (invited or accepted), in the chosen election or any.
    HasSeat,
    /// Holds none.
    NoSeat,
    /// Has declined a seat.
    Declined,
    /// Was marked as not having turned up.
    NoShow,
}

impl SeatFilter {
    pub const ALL: [SeatFilter; 4] = [Self::HasSeat, Self::NoSeat, Self::Declined, Self::NoShow];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::HasSeat => "has_seat",
            Self::NoSeat => "no_seat",
            Self::Declined => "declined",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// The order of the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegisterSort {
    #[default]
    Name,
    /// Newest on record first.
    Newest,
}

impl RegisterSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Newest => "newest",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Name, Self::Newest]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// A search of the register, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterFilter {
    /// Part of a name, an email address or a phone number.
    pub text: String,
    pub team: Option<Id>,
    pub area: Option<Id>,
    pub election: Option<Id>,
    pub seat: Option<SeatFilter>,
    /// The office has checked (or not) their declaration.
    pub verified: Option<bool>,
    /// They have (or not) signed in at least once.
    pub account: Option<bool>,
    /// Active (or deactivated) people only.
    pub active: Option<bool>,
    pub language: Option<Language>,
    pub sort: RegisterSort,
    /// From 1.
    pub page: i64,
}

/// Whom a viewer of the register may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegisterScope {
    /// Everyone (the office).
    All,
    /// People with a seat in these areas, and people with no seat at all (a
    /// coordinator limited to areas).
    Areas(Vec<Id>),
    /// The members of these teams (a team leader).
    Teams(Vec<Id>),
}

/// One person in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub id: Id,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// Their teams' names, by name.
    pub teams: String,
    /// Seats they hold now (invited or accepted).
    pub seats: i64,
    pub verified: bool,
    pub has_account: bool,
    pub deactivated: bool,
    /// Why CPR says they may no longer hold a seat of theirs (a locale key
    /// `eligibility.*`), if it does.
    pub cpr_flag: Option<String>,
}

/// A page of the list and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPage {
    pub rows: Vec<RegisterRow>,
    pub total: i64,
}

/// A search as the address carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub election: String,
    #[serde(default)]
    pub seat: String,
    #[serde(default)]
    pub verified: String,
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
}

fn yes_no(field: &str, raw: &str) -> Result<Option<bool>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        _ => Err(AppError::invalid(field, "error.unknown_choice")),
    }
}

fn choice<T>(field: &str, raw: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        raw => parse(raw)
            .map(Some)
            .ok_or_else(|| AppError::invalid(field, "error.unknown_choice")),
    }
}

impl RegisterQuery {
    pub fn parse(&self) -> Result<RegisterFilter, AppError> {
        let text = super::forms::optional_text("q", &self.q, 100)?;
        let page = match self.page.trim() {
            "" => 1,
            raw => super::forms::int_in("page", raw, 1, 100_000)?,
        };
        Ok(RegisterFilter {
            text,
            team: super::forms::optional_id("team", &self.team)?,
            area: super::forms::optional_id("area", &self.area)?,
            election: super::forms::optional_id("election", &self.election)?,
            seat: choice("seat", &self.seat, SeatFilter::parse)?,
            verified: yes_no("verified", &self.verified)?,
            account: yes_no("account", &self.account)?,
            active: yes_no("active", &self.active)?,
            language: choice("language", &self.language, Language::parse)?,
            sort: choice("sort", &self.sort, RegisterSort::parse)?.unwrap_or_default(),
            page,
        })
    }
}

/// How many pages `total` people fill (at least one).
pub fn pages(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_parsed_or_refused_by_field() {
        let q = RegisterQuery {
            q: "  Karen ".into(),
            seat: "no_show".into(),
            verified: "no".into(),
            language: "en".into(),
            sort: "newest".into(),
            page: "3".into(),
            ..Default::default()
        };
        let f = q.parse().unwrap();
        assert_eq!(f.text, "Karen");
        assert_eq!(f.seat, Some(SeatFilter::NoShow));
        assert_eq!(f.verified, Some(false));
        assert_eq!(f.language, Some(Language::En));
        assert_eq!((f.sort, f.page), (RegisterSort::Newest, 3));
        let bad = RegisterQuery {
            seat: "maybe".into(),
            ..Default::default()
        };
        assert_eq!(
            bad.parse(),
            Err(AppError::invalid("seat", "error.unknown_choice"))
        );
        let bad = RegisterQuery {
            page: "0".into(),
            ..Default::default()
        };
        assert!(bad.parse().is_err());
        assert_eq!(pages(0), 1);
        assert_eq!(pages(PAGE_SIZE + 1), 2);
    }
}
