//! The Danish civil registration number (CPR) and what the CPR register
//! says about a person. A CPR number is personal data of a special kind
//! (databeskyttelsesloven § 11): it is shown masked, never printed whole by
//! `Debug`, and reaches nothing but the register it is looked up in.

use super::volunteers::Citizenship;
use super::AppError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Ten digits, the first six a valid birth date (DDMMYY). Since 2007 not
/// every number satisfies the old modulus-11 check, so none is applied.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CprNumber(String);

impl CprNumber {
    /// Accepts "DDMMYY-SSSS", "DDMMYYSSSS" and spaces between the parts.
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        let number = CprNumber(digits);
        if number.0.len() != 10
            || !number.0.bytes().all(|b| b.is_ascii_digit())
            || number.birth_date().is_none()
        {
            return Err(AppError::invalid(field, "error.cpr"));
        }
        Ok(number)
    }

    /// The ten digits, for the register's request and nothing else.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// "DDMMYY-XXXX", the way people write it, for the few places the whole
    /// number is shown or handed on.
    pub fn dashed(&self) -> String {
        format!("{}-{}", &self.0[..6], &self.0[6..])
    }

    /// "DDMMYY-xxxx": enough to tell two people apart on a screen.
    pub fn masked(&self) -> String {
        format!("{}-xxxx", &self.0[..6])
    }

    /// The birth date the number carries; the seventh digit gives the
    /// century (CPR-kontoret's table).
    pub fn birth_date(&self) -> Option<NaiveDate> {
        let digit = |i: usize| self.0.as_bytes().get(i).map(|b| u32::from(b - b'0'));
        let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
        let (day, month, year) = (two(0)?, two(2)?, two(4)?);
        let century = match digit(6)? {
            0..=3 => 1900,
            4 | 9 if year <= 36 => 2000,
            4 | 9 => 1900,
            5..=8 if year <= 57 => 2000,
            5..=8 => 1800,
            _ => return None,
        };
        NaiveDate::from_ymd_opt(century + year as i32, month, day)
    }
}

impl fmt::Debug for CprNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CprNumber({})", self.masked())
    }
}

impl TryFrom<String> for CprNumber {
    type Error = AppError;
    fn try_from(raw: String) -> Result<Self, AppError> {
        CprNumber::parse("cpr", &raw)
    }
}

impl From<CprNumber> for String {
    fn from(number: CprNumber) -> String {
        number.0
    }
}

/// The country code CPR gives Danish citizenship.
pub const DANISH: &str = "5100";

/// A person as the CPR register knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CprPerson {
    pub name: String,
    pub birth_date: Option<NaiveDate>,
    /// CPR's status code: "01" and "03" are living residents of Denmark.
    pub status: String,
    /// CPR's country code of the citizenship ("5100" is Danish).
    pub citizenship: Option<String>,
    /// The four-digit municipality code of the current address.
    pub municipality: Option<String>,
    pub under_guardianship: bool,
    /// Name and address protection: the address is never shown.
    pub address_protected: bool,
    /// `false` when the person is exempt from Digital Post.
    pub digital_post: bool,
    pub address: Option<CprAddress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CprAddress {
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

/// What CPR's status code says about a person's place in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Living and registered in Denmark (status 01 or 03).
    Resident,
    /// Living in Greenland or registered without a Danish address
    /// (05, 07, 20, 30, 50, 60).
    NotResident,
    Missing,
    Emigrated,
    Dead,
}

impl CprPerson {
    pub fn standing(&self) -> Standing {
        standing_of(&self.status)
    }

    pub fn danish(&self) -> bool {
        self.citizenship.as_deref() == Some(DANISH)
    }
}

/// What the register said at the last lookup that found the person: what
/// eligibility is judged from while it is on record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterFacts {
    pub looked_up_at: i64,
    /// The name the register has, for the office to see it is the person.
    pub name: String,
    /// CPR's status code (see [`CprPerson::standing`]).
    pub status: String,
    pub birth_date: Option<NaiveDate>,
    pub citizenship: Citizenship,
    /// CPR's country code of the citizenship.
    pub country_code: Option<String>,
    /// Three digits, as the municipality's own code is written here.
    pub municipality_code: Option<String>,
    pub under_guardianship: bool,
    pub address_protected: bool,
    pub digital_post: bool,
}

impl RegisterFacts {
    /// `declared` is the person's own word on their citizenship: CPR says
    /// whether it is Danish, and a non-Danish citizen who declared an EU
    /// citizenship keeps it (CPR's own country table is not EU-aware).
    pub fn from_person(person: &CprPerson, declared: Citizenship, at: i64) -> Self {
        let citizenship = if person.danish() {
            Citizenship::Danish
        } else if declared == Citizenship::Eu {
            Citizenship::Eu
        } else {
            Citizenship::Other
        };
        RegisterFacts {
            looked_up_at: at,
            name: person.name.clone(),
            status: person.status.clone(),
            birth_date: person.birth_date,
            citizenship,
            country_code: person.citizenship.clone(),
            municipality_code: person.municipality.as_deref().and_then(three_digit_code),
            under_guardianship: person.under_guardianship,
            address_protected: person.address_protected,
            digital_post: person.digital_post,
        }
    }

    pub fn standing(&self) -> Standing {
        standing_of(&self.status)
    }
}

/// CPR writes municipality codes with four digits ("0329"), Valgvagt with
/// three ("329").
pub fn three_digit_code(cpr_code: &str) -> Option<String> {
    let number: u16 = cpr_code.trim().parse().ok()?;
    (number <= 999).then(|| format!("{number:03}"))
}

fn standing_of(status: &str) -> Standing {
    match status {
        "01" | "03" => Standing::Resident,
        "70" => Standing::Missing,
        "80" => Standing::Emigrated,
        "90" => Standing::Dead,
        _ => Standing::NotResident,
    }
}

/// A seat whose holder the CPR register says may no longer serve there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityFlag {
    pub election_id: super::Id,
    pub area_id: super::Id,
    pub station_id: super::Id,
    pub station: String,
    pub seat_id: super::Id,
    pub volunteer_id: super::Id,
    pub name: String,
    /// Why, as a locale key (`eligibility.*`).
    pub reason: String,
    pub at: i64,
}

/// A stored CPR number and its last lookup, as the office's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CprRecord {
    /// "DDMMYY-xxxx".
    pub masked: String,
    pub stored_at: i64,
    pub looked_up_at: Option<i64>,
    /// Why the last lookup gave no facts: "not_found" or "refused".
    pub failure: Option<String>,
    pub facts: Option<RegisterFacts>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn numbers_are_ten_digits_with_a_birth_date() {
        let n = CprNumber::parse("cpr", "010190-1234").unwrap();
        assert_eq!(n.digits(), "0101901234");
        assert_eq!(CprNumber::parse("cpr", " 010190 1234 ").unwrap(), n);
        for bad in [
            "",
            "01019012345",
            "010190-123",
            "0101901x34",
            "320190-1234",
            "011390-1234",
        ] {
            assert_eq!(
                CprNumber::parse("cpr", bad),
                Err(AppError::invalid("cpr", "error.cpr")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_seventh_digit_gives_the_century() {
        let born = |raw: &str| CprNumber::parse("cpr", raw).unwrap().birth_date();
        assert_eq!(born("0101903234"), Some(date(1990, 1, 1)));
        assert_eq!(born("0101104234"), Some(date(2010, 1, 1)));
        assert_eq!(born("0101504234"), Some(date(1950, 1, 1)));
        assert_eq!(born("0101059234"), Some(date(2005, 1, 1)));
        assert_eq!(born("0101575234"), Some(date(2057, 1, 1)));
        assert_eq!(born("0101855234"), Some(date(1885, 1, 1)));
        // 29 February exists only in leap years: 2000 was one, 1900 not.
        assert!(CprNumber::parse("cpr", "2902004234").is_ok());
        assert!(CprNumber::parse("cpr", "2902001234").is_err());
        assert!(CprNumber::parse("cpr", "2902014234").is_err());
    }

    #[test]
    fn a_number_never_shows_whole_where_it_should_not() {
        let n = CprNumber::parse("cpr", "0101901234").unwrap();
        assert_eq!(n.masked(), "010190-xxxx");
        assert_eq!(format!("{n:?}"), "CprNumber(010190-xxxx)");
        assert!(!format!("{:?}", Some(&n)).contains("1234"));
    }

    #[test]
    fn the_status_code_says_who_lives_here() {
        let mut p = CprPerson {
            name: "A".into(),
            birth_date: None,
            status: "01".into(),
            citizenship: Some(DANISH.into()),
            municipality: Some("0329".into()),
            under_guardianship: false,
            address_protected: false,
            digital_post: true,
            address: None,
        };
        assert_eq!(p.standing(), Standing::Resident);
        assert!(p.danish());
        for (code, standing) in [
            ("03", Standing::Resident),
            ("05", Standing::NotResident),
            ("20", Standing::NotResident),
            ("30", Standing::NotResident),
            ("50", Standing::NotResident),
            ("60", Standing::NotResident),
            ("70", Standing::Missing),
            ("80", Standing::Emigrated),
            ("90", Standing::Dead),
        ] {
            p.status = code.into();
            assert_eq!(p.standing(), standing, "{code}");
        }
        p.citizenship = Some("5180".into());
        assert!(!p.danish());
    }

    #[test]
    fn facts_read_citizenship_from_the_register_and_codes_as_ours() {
        let person = CprPerson {
            name: "A".into(),
            birth_date: Some(date(1990, 1, 1)),
            status: "01".into(),
            citizenship: Some(DANISH.into()),
            municipality: Some("0329".into()),
            under_guardianship: false,
            address_protected: true,
            digital_post: false,
            address: None,
        };
        let facts = RegisterFacts::from_person(&person, Citizenship::Other, 7);
        assert_eq!(facts.citizenship, Citizenship::Danish);
        assert_eq!(facts.municipality_code.as_deref(), Some("329"));
        assert_eq!(facts.looked_up_at, 7);
        assert!(facts.address_protected && !facts.digital_post);
        let foreign = CprPerson {
            citizenship: Some("5180".into()),
            ..person.clone()
        };
        // Declared Danish, and the register says otherwise: not Danish.
        let facts = RegisterFacts::from_person(&foreign, Citizenship::Danish, 7);
        assert_eq!(facts.citizenship, Citizenship::Other);
        let facts = RegisterFacts::from_person(&foreign, Citizenship::Eu, 7);
        assert_eq!(facts.citizenship, Citizenship::Eu);
        assert_eq!(three_digit_code("0101").as_deref(), Some("101"));
        assert_eq!(three_digit_code("0955").as_deref(), Some("955"));
        assert_eq!(three_digit_code("x"), None);
    }
}
