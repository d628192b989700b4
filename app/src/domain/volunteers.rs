use super::cpr::{RegisterFacts, Standing};
use super::elections::{CitizenshipRule, EligibilityRules};
use super::{forms, AppError, Id};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A syntactically valid email address, lower-cased for comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(AppError::invalid(field, "error.required"));
        }
        let valid = value.len() <= 254
            && !value.chars().any(char::is_whitespace)
            && match value.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if valid {
            Ok(EmailAddress(value))
        } else {
            Err(AppError::invalid(field, "error.email"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mobile number in E.164 form (`+4512345678`). Danish numbers may be
/// given as eight digits, with or without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumber(String);

/// An E.164 number (`+4520304050`) is in one of the countries SMS may go to
/// (calling codes such as `+45`).
pub fn sms_reaches(phone: &str, countries: &[String]) -> bool {
    countries
        .iter()
        .any(|code| phone.starts_with(code.as_str()))
}

impl PhoneNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.is_empty() {
            return Err(AppError::invalid(field, "error.required"));
        }
        let digits_only = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        let e164 = if let Some(rest) = compact.strip_prefix('+') {
            rest.to_string()
        } else if let Some(rest) = compact.strip_prefix("00") {
            rest.to_string()
        } else if compact.len() == 8 {
            format!("45{compact}")
        } else {
            return Err(AppError::invalid(field, "error.phone"));
        };
        let valid = digits_only(&e164)
            && (8..=15).contains(&e164.len())
            && !e164.starts_with('0')
            // Danish numbers are exactly eight digits after +45.
            && (!e164.starts_with("45") || e164.len() == 10);
        if valid {
            Ok(PhoneNumber(format!("+{e164}")))
        } else {
            Err(AppError::invalid(field, "error.phone"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Citizenship {
    Danish,
    /// Another EU member state.
    Eu,
    Other,
}

impl Citizenship {
    pub const ALL: [Citizenship; 3] = [Self::Danish, Self::Eu, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Danish => "danish",
            Self::Eu => "eu",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    pub fn satisfies(self, rule: CitizenshipRule) -> bool {
        match rule {
            CitizenshipRule::Any => true,
            CitizenshipRule::Eu => matches!(self, Self::Danish | Self::Eu),
            CitizenshipRule::Danish => self == Self::Danish,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Da,
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Da => "da",
            Self::En => "en",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "da" => Some(Self::Da),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// A volunteer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volunteer {
    pub id: Id,
    pub name: String,
    pub birth_date: NaiveDate,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub municipality_code: String,
    pub citizenship: Citizenship,
    pub under_guardianship: bool,
    /// A coordinator checked the declaration above against real records.
    pub verified: bool,
    pub language: Language,
    pub diet_ids: Vec<Id>,
    pub consent_at: Option<i64>,
    pub consent_version: Option<String>,
    /// What CPR said at the last lookup that found them (office lookups).
    pub register: Option<RegisterFacts>,
}

/// A volunteer as validated, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVolunteer {
    pub name: String,
    pub birth_date: NaiveDate,
    pub email: EmailAddress,
    pub phone: PhoneNumber,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub municipality_code: String,
    pub citizenship: Citizenship,
    pub under_guardianship: bool,
    pub language: Language,
    pub diet_ids: Vec<Id>,
    /// When consent was given (unix seconds) and to which version of the text.
    pub consent: Option<(i64, String)>,
}

/// Danish municipality codes are three digits (101 København … 860 Hjørring).
pub fn parse_municipality_code(field: &str, raw: &str) -> Result<String, AppError> {
    let value = raw.trim();
    if value.len() == 3 && value.chars().all(|c| c.is_ascii_digit()) {
        Ok(value.to_string())
    } else {
        Err(AppError::invalid(field, "error.municipality_code"))
    }
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// An address as lists, rosters and files show it: never a protected one.
pub fn shown_address(
    protected: bool,
    address: &str,
    postal_code: &str,
    city: &str,
    word: &dyn Fn(&str) -> String,
) -> String {
    if protected {
        return word("address.protected");
    }
    let town = format!("{postal_code} {city}");
    [address.trim(), town.trim()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a volunteer may not take a shift. Each maps to a plain-language text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ineligible {
    UnderAge,
    NotResident,
    Citizenship,
    UnderGuardianship,
    /// CPR has them as dead or missing (status 90 or 70).
    NotAlive,
}

impl Ineligible {
    pub fn key(self) -> &'static str {
        match self {
            Self::UnderAge => "eligibility.under_age",
            Self::NotResident => "eligibility.not_resident",
            Self::Citizenship => "eligibility.citizenship",
            Self::UnderGuardianship => "eligibility.guardianship",
            Self::NotAlive => "eligibility.not_alive",
        }
    }
}

/// What eligibility is decided from: the volunteer's own declaration, or
/// the CPR register's facts where a lookup found them ([`Self::judged`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration<'a> {
    pub birth_date: NaiveDate,
    pub municipality_code: &'a str,
    pub citizenship: Citizenship,
    pub under_guardianship: bool,
    /// Where the register has them; a declaration says they live here.
    pub standing: Standing,
}

impl<'a> Declaration<'a> {
    /// What the person said of themself.
    pub fn declared(
        birth_date: NaiveDate,
        municipality_code: &'a str,
        citizenship: Citizenship,
        under_guardianship: bool,
    ) -> Self {
        Declaration {
            birth_date,
            municipality_code,
            citizenship,
            under_guardianship,
            standing: Standing::Resident,
        }
    }

    /// The register's facts in place of the declaration, where there are
    /// any: the register decides once a lookup has found the person.
    pub fn judged(self, register: Option<&'a RegisterFacts>) -> Self {
        let Some(facts) = register else {
            return self;
        };
        Declaration {
            birth_date: facts.birth_date.unwrap_or(self.birth_date),
            municipality_code: facts.municipality_code.as_deref().unwrap_or(""),
            citizenship: facts.citizenship,
            under_guardianship: facts.under_guardianship,
            standing: facts.standing(),
        }
    }
}

impl Volunteer {
    /// CPR says their address is protected ("adressebeskyttelse").
    pub fn address_protected(&self) -> bool {
        self.register.as_ref().is_some_and(|r| r.address_protected)
    }

    /// Their address as others may see it: "beskyttet adresse" (through
    /// `word`) when CPR protects it.
    pub fn address_for_others(&self, word: &dyn Fn(&str) -> String) -> String {
        shown_address(
            self.address_protected(),
            &self.address,
            &self.postal_code,
            &self.city,
            word,
        )
    }

    /// What this person's eligibility is judged from.
    pub fn eligibility_facts(&self) -> Declaration<'_> {
        Declaration::declared(
            self.birth_date,
            &self.municipality_code,
            self.citizenship,
            self.under_guardianship,
        )
        .judged(self.register.as_ref())
    }
}

/// Checks a volunteer against an election type's rules for a shift on
/// `shift_day` in the municipality `home_municipality`. Age counts on the
/// shift's own date, not on election day.
pub fn check_eligibility(
    rules: &EligibilityRules,
    person: &Declaration<'_>,
    shift_day: NaiveDate,
    home_municipality: &str,
) -> Result<(), Ineligible> {
    if matches!(person.standing, Standing::Dead | Standing::Missing) {
        return Err(Ineligible::NotAlive);
    }
    if rules.min_age_18 && age_on(person.birth_date, shift_day) < 18 {
        return Err(Ineligible::UnderAge);
    }
    if rules.resident
        && (person.standing != Standing::Resident || person.municipality_code != home_municipality)
    {
        return Err(Ineligible::NotResident);
    }
    if !person.citizenship.satisfies(rules.citizenship) {
        return Err(Ineligible::Citizenship);
    }
    if rules.not_under_guardianship && person.under_guardianship {
        return Err(Ineligible::UnderGuardianship);
    }
    Ok(())
}

/// The profile form as the browser sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProfileForm {
    pub phone: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub language: String,
    #[serde(default)]
    pub diets: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    /// Team ids whose leaders may see phone and email.
    #[serde(default)]
    pub share: Vec<String>,
    /// "yes" / "no": they live in this municipality (they moved); empty
    /// keeps what is on record.
    #[serde(default)]
    pub resident: String,
}

/// A validated profile change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileChange {
    pub phone: PhoneNumber,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub language: Language,
    pub diet_ids: Vec<Id>,
    pub channels: Vec<super::notifications::Channel>,
    pub share: Vec<Id>,
    /// The municipality they live in now (this one, or [`ELSEWHERE`]);
    /// `None` keeps what is on record.
    pub municipality_code: Option<String>,
}

impl ProfileForm {
    /// Validates the form of someone who may live in `home` (a code).
    pub fn parse(&self, home: &str) -> Result<ProfileChange, AppError> {
        let ids = |field: &str, raw: &[String]| {
            raw.iter()
                .map(|v| forms::id(field, v))
                .collect::<Result<Vec<_>, _>>()
        };
        let mut channels = Vec::new();
        for raw in &self.channels {
            let channel = super::notifications::Channel::parse(raw.trim())
                .ok_or_else(|| AppError::invalid("channels", "error.unknown_choice"))?;
            if !channels.contains(&channel) {
                channels.push(channel);
            }
        }
        if channels.is_empty() {
            return Err(AppError::invalid("channels", "profile.one_channel"));
        }
        Ok(ProfileChange {
            phone: PhoneNumber::parse("phone", &self.phone)?,
            address: forms::optional_text("address", &self.address, 200)?,
            postal_code: forms::optional_text("postal_code", &self.postal_code, 10)?,
            city: forms::optional_text("city", &self.city, 100)?,
            language: Language::parse(self.language.trim())
                .ok_or_else(|| AppError::invalid("language", "error.unknown_choice"))?,
            diet_ids: ids("diets", &self.diets)?,
            channels,
            share: ids("share", &self.share)?,
            municipality_code: match self.resident.trim() {
                "" => None,
                "yes" => Some(home.to_string()),
                "no" => Some(ELSEWHERE.to_string()),
                _ => return Err(AppError::invalid("resident", "error.unknown_choice")),
            },
        })
    }
}

/// The municipality code kept for someone who declares they live in another
/// municipality than this one (no Danish municipality has code 000).
pub const ELSEWHERE: &str = "000";

/// The newcomer's sign-up form as the browser sends it: step 1 (details)
/// and step 2 (consent) in one form, so it also works without JavaScript.
/// Every field may be missing (an unchosen radio button is not sent); the
/// check then names it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewcomerForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub birth_date: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    /// "yes" when they live in this municipality.
    pub resident: String,
    pub citizenship: String,
    /// "yes" when they are under guardianship.
    pub guardianship: String,
    #[serde(default)]
    pub diets: Vec<String>,
    /// Present ("on") when the privacy text was accepted.
    #[serde(default)]
    pub consent: Option<String>,
}

impl NewcomerForm {
    /// Validates the form into a volunteer living in `home` (a municipality
    /// code) or elsewhere, who consented at `consent` (time, text version).
    pub fn parse(
        &self,
        home: &str,
        language: Language,
        today: NaiveDate,
        consent: (i64, String),
    ) -> Result<NewVolunteer, AppError> {
        self.check(home, language, today, Some(consent))
            .map_err(|mut problems| problems.remove(0))
    }

    /// Like [`NewcomerForm::parse`], but names every problem at once (an
    /// import's preview). Without `consent` none is asked for: the office
    /// enters them from its own records.
    pub fn check(
        &self,
        home: &str,
        language: Language,
        today: NaiveDate,
        consent: Option<(i64, String)>,
    ) -> Result<NewVolunteer, Vec<AppError>> {
        fn keep<T>(problems: &mut Vec<AppError>, result: Result<T, AppError>) -> Option<T> {
            result.map_err(|e| problems.push(e)).ok()
        }
        let yes_no = |field: &str, raw: &str| match raw.trim() {
            "yes" => Ok(true),
            "no" => Ok(false),
            "" => Err(AppError::invalid(field, "error.required")),
            _ => Err(AppError::invalid(field, "error.unknown_choice")),
        };
        let mut problems = Vec::new();
        let name = keep(
            &mut problems,
            forms::required_text("name", &self.name).and_then(|name| {
                if name.chars().count() > 100 {
                    Err(AppError::invalid("name", "error.too_long"))
                } else {
                    Ok(name)
                }
            }),
        );
        let email = keep(&mut problems, EmailAddress::parse("email", &self.email));
        let phone = keep(&mut problems, PhoneNumber::parse("phone", &self.phone));
        let birth_date = keep(
            &mut problems,
            forms::date("birth_date", &self.birth_date).and_then(|born| {
                if (14..=110).contains(&age_on(born, today)) {
                    Ok(born)
                } else {
                    Err(AppError::invalid(
                        "birth_date",
                        "signup.birth_date_unlikely",
                    ))
                }
            }),
        );
        let address = keep(
            &mut problems,
            forms::required_text("address", &self.address),
        );
        let postal_code = self.postal_code.trim().to_string();
        if postal_code.len() != 4 || !postal_code.chars().all(|c| c.is_ascii_digit()) {
            problems.push(AppError::invalid("postal_code", "error.postal_code"));
        }
        let city = keep(&mut problems, forms::required_text("city", &self.city));
        let resident = keep(&mut problems, yes_no("resident", &self.resident));
        let citizenship = keep(
            &mut problems,
            Citizenship::parse(self.citizenship.trim()).ok_or_else(|| {
                let key = if self.citizenship.trim().is_empty() {
                    "error.required"
                } else {
                    "error.unknown_choice"
                };
                AppError::invalid("citizenship", key)
            }),
        );
        let under_guardianship = keep(&mut problems, yes_no("guardianship", &self.guardianship));
        let diet_ids = keep(
            &mut problems,
            self.diets
                .iter()
                .map(|v| forms::id("diets", v))
                .collect::<Result<Vec<_>, _>>(),
        );
        let consented = !self
            .consent
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .is_empty();
        if consent.is_some() && !consented {
            problems.push(AppError::invalid("consent", "signup.consent_required"));
        }
        match (
            name,
            email,
            phone,
            birth_date,
            address,
            city,
            resident,
            citizenship,
            under_guardianship,
            diet_ids,
        ) {
            (
                Some(name),
                Some(email),
                Some(phone),
                Some(birth_date),
                Some(address),
                Some(city),
                Some(resident),
                Some(citizenship),
                Some(under_guardianship),
                Some(diet_ids),
            ) if problems.is_empty() => Ok(NewVolunteer {
                name,
                birth_date,
                email,
                phone,
                address,
                postal_code,
                city,
                municipality_code: if resident { home } else { ELSEWHERE }.to_string(),
                citizenship,
                under_guardianship,
                language,
                diet_ids,
                consent,
            }),
            _ => Err(problems),
        }
    }
}

/// Something that happened to a person on a seat (declined, cancelled …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatEvent {
    pub event: String,
    pub reason: String,
    pub at: i64,
    pub day: NaiveDate,
    pub station: String,
    pub task_type: String,
}

/// One of the office's notes about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: Id,
    pub author: String,
    pub text: String,
    pub created_at: i64,
}

/// A note as typed: required, at most 2,000 characters, lines kept.
pub fn parse_note(raw: &str) -> Result<String, AppError> {
    forms::required_message("note", raw, 2000)
}

/// What the office changed in a person's record, field by field, as
/// "field: before → after" (for the audit log).
pub fn changed_fields(before: &Volunteer, after: &NewVolunteer) -> Vec<String> {
    let pairs: [(&str, String, String); 11] = [
        ("name", before.name.clone(), after.name.clone()),
        (
            "birth_date",
            before.birth_date.to_string(),
            after.birth_date.to_string(),
        ),
        (
            "email",
            before.email.clone(),
            after.email.as_str().to_string(),
        ),
        (
            "phone",
            before.phone.clone(),
            after.phone.as_str().to_string(),
        ),
        ("address", before.address.clone(), after.address.clone()),
        (
            "postal_code",
            before.postal_code.clone(),
            after.postal_code.clone(),
        ),
        ("city", before.city.clone(), after.city.clone()),
        (
            "municipality_code",
            before.municipality_code.clone(),
            after.municipality_code.clone(),
        ),
        (
            "citizenship",
            before.citizenship.as_str().into(),
            after.citizenship.as_str().into(),
        ),
        (
            "under_guardianship",
            before.under_guardianship.to_string(),
            after.under_guardianship.to_string(),
        ),
        (
            "language",
            before.language.as_str().into(),
            after.language.as_str().into(),
        ),
    ];
    let mut changes: Vec<String> = pairs
        .into_iter()
        .filter(|(_, b, a)| b != a)
        .map(|(field, b, a)| format!("{field}: {b} → {a}"))
        .collect();
    let mut diets_before = before.diet_ids.clone();
    let mut diets_after = after.diet_ids.clone();
    diets_before.sort_unstable();
    diets_after.sort_unstable();
    if diets_before != diets_after {
        changes.push(format!("diets: {diets_before:?} → {diets_after:?}"));
    }
    changes
}

/// A special diet the municipality caters for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diet {
    pub id: Id,
    pub name: String,
    pub volunteers: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DietForm {
    pub name: String,
}

impl DietForm {
    pub fn parse(&self) -> Result<String, AppError> {
        forms::required_text("name", &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn folketingsvalg() -> EligibilityRules {
        EligibilityRules {
            min_age_18: true,
            resident: true,
            citizenship: CitizenshipRule::Danish,
            not_under_guardianship: true,
        }
    }

    fn person(birth: &str) -> Declaration<'static> {
        Declaration::declared(d(birth), "999", Citizenship::Danish, false)
    }

    #[test]
    fn age_is_counted_on_the_shift_date() {
        let p = person("2009-06-02");
        let rules = folketingsvalg();
        assert_eq!(
            check_eligibility(&rules, &p, d("2027-06-01"), "999"),
            Err(Ineligible::UnderAge)
        );
        assert_eq!(
            check_eligibility(&rules, &p, d("2027-06-02"), "999"),
            Ok(())
        );
    }

    #[test]
    fn residence_citizenship_and_guardianship() {
        let rules = folketingsvalg();
        let mut p = person("1980-01-01");
        p.municipality_code = "101";
        assert_eq!(
            check_eligibility(&rules, &p, d("2027-06-01"), "999"),
            Err(Ineligible::NotResident)
        );
        p.municipality_code = "999";
        p.citizenship = Citizenship::Eu;
        assert_eq!(
            check_eligibility(&rules, &p, d("2027-06-01"), "999"),
            Err(Ineligible::Citizenship)
        );
        let eu_rules = EligibilityRules {
            citizenship: CitizenshipRule::Eu,
            ..rules
        };
        assert_eq!(
            check_eligibility(&eu_rules, &p, d("2027-06-01"), "999"),
            Ok(())
        );
        p.citizenship = Citizenship::Danish;
        p.under_guardianship = true;
        assert_eq!(
            check_eligibility(&rules, &p, d("2027-06-01"), "999"),
            Err(Ineligible::UnderGuardianship)
        );
    }

    #[test]
    fn rules_switched_off_are_not_checked() {
        let none = EligibilityRules {
            min_age_18: false,
            resident: false,
            citizenship: CitizenshipRule::Any,
            not_under_guardianship: false,
        };
        let mut p = Declaration::declared(d("2015-01-01"), "101", Citizenship::Other, true);
        assert_eq!(check_eligibility(&none, &p, d("2027-06-01"), "999"), Ok(()));
        // Moved abroad: only a residence rule minds.
        p.standing = Standing::Emigrated;
        assert_eq!(check_eligibility(&none, &p, d("2027-06-01"), "999"), Ok(()));
    }

    #[test]
    fn the_register_decides_once_a_lookup_found_the_person() {
        let rules = folketingsvalg();
        let declared = person("1980-01-01");
        let mut facts = RegisterFacts {
            looked_up_at: 1,
            name: "A".into(),
            status: "01".into(),
            birth_date: Some(d("1980-01-01")),
            citizenship: Citizenship::Danish,
            country_code: Some("5100".into()),
            municipality_code: Some("999".into()),
            under_guardianship: false,
            address_protected: false,
            digital_post: true,
        };
        let day = d("2027-06-01");
        let judged = |facts: &RegisterFacts| {
            check_eligibility(&rules, &declared.clone().judged(Some(facts)), day, "999")
        };
        assert_eq!(judged(&facts), Ok(()));
        assert_eq!(
            check_eligibility(&rules, &declared.clone().judged(None), day, "999"),
            Ok(()),
            "no lookup: the declaration"
        );
        facts.municipality_code = Some("101".into());
        assert_eq!(judged(&facts), Err(Ineligible::NotResident));
        facts.municipality_code = None;
        assert_eq!(judged(&facts), Err(Ineligible::NotResident));
        facts.municipality_code = Some("999".into());
        facts.status = "80".into();
        assert_eq!(judged(&facts), Err(Ineligible::NotResident));
        facts.status = "20".into();
        assert_eq!(judged(&facts), Err(Ineligible::NotResident));
        facts.status = "03".into();
        facts.under_guardianship = true;
        assert_eq!(judged(&facts), Err(Ineligible::UnderGuardianship));
        facts.under_guardianship = false;
        facts.citizenship = Citizenship::Other;
        assert_eq!(judged(&facts), Err(Ineligible::Citizenship));
        facts.citizenship = Citizenship::Danish;
        facts.birth_date = Some(d("2010-01-01"));
        assert_eq!(judged(&facts), Err(Ineligible::UnderAge));
        facts.birth_date = Some(d("1980-01-01"));
        // Dead or missing: whatever the rules.
        let none = EligibilityRules {
            min_age_18: false,
            resident: false,
            citizenship: CitizenshipRule::Any,
            not_under_guardianship: false,
        };
        for status in ["90", "70"] {
            facts.status = status.into();
            assert_eq!(judged(&facts), Err(Ineligible::NotAlive), "{status}");
            assert_eq!(
                check_eligibility(&none, &declared.clone().judged(Some(&facts)), day, "999"),
                Err(Ineligible::NotAlive)
            );
        }
    }

    #[test]
    fn birthday_boundary() {
        assert_eq!(age_on(d("2000-02-29"), d("2018-02-28")), 17);
        assert_eq!(age_on(d("2000-02-29"), d("2018-03-01")), 18);
    }

    #[test]
    fn danish_phone_numbers_become_e164() {
        assert_eq!(
            PhoneNumber::parse("p", "12 34 56 78").unwrap().as_str(),
            "+4512345678"
        );
        assert_eq!(
            PhoneNumber::parse("p", "+45 12345678").unwrap().as_str(),
            "+4512345678"
        );
        assert_eq!(
            PhoneNumber::parse("p", "0046701234567").unwrap().as_str(),
            "+46701234567"
        );
        assert!(PhoneNumber::parse("p", "1234567").is_err());
        assert!(PhoneNumber::parse("p", "+45 1234567").is_err());
        assert!(PhoneNumber::parse("p", "abcdefgh").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(
            EmailAddress::parse("e", " Anna@Korsbaek.DK ")
                .unwrap()
                .as_str(),
            "anna@korsbaek.dk"
        );
        for bad in [
            "", "anna", "anna@", "@x.dk", "a@b", "a b@x.dk", "a@x..dk", "a@@x.dk",
        ] {
            assert!(EmailAddress::parse("e", bad).is_err(), "{bad}");
        }
    }

    fn newcomer() -> NewcomerForm {
        NewcomerForm {
            name: " Sofie Hansen ".into(),
            email: "Sofie@Example.dk".into(),
            phone: "20 30 40 50".into(),
            birth_date: "1990-05-04".into(),
            address: "Storegade 1".into(),
            postal_code: "4100".into(),
            city: "Korsbæk".into(),
            resident: "yes".into(),
            citizenship: "danish".into(),
            guardianship: "no".into(),
            diets: vec!["2".into()],
            consent: Some("on".into()),
        }
    }

    #[test]
    fn a_newcomer_form_becomes_a_volunteer_with_consent() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let v = newcomer()
            .parse("999", Language::Da, today, (1, "2026-1".into()))
            .unwrap();
        assert_eq!(v.name, "Sofie Hansen");
        assert_eq!(v.email.as_str(), "sofie@example.dk");
        assert_eq!(v.phone.as_str(), "+4520304050");
        assert_eq!(v.municipality_code, "999");
        assert_eq!(v.diet_ids, vec![2]);
        assert_eq!(v.consent, Some((1, "2026-1".to_string())));
        let elsewhere = NewcomerForm {
            resident: "no".into(),
            ..newcomer()
        };
        let v = elsewhere
            .parse("999", Language::Da, today, (1, "2026-1".into()))
            .unwrap();
        assert_eq!(v.municipality_code, ELSEWHERE);
    }

    #[test]
    fn a_newcomer_must_consent_and_answer_every_question() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let parse = |f: NewcomerForm| f.parse("999", Language::Da, today, (1, "v".into()));
        let no_consent = NewcomerForm {
            consent: None,
            ..newcomer()
        };
        assert_eq!(
            parse(no_consent).unwrap_err(),
            AppError::invalid("consent", "signup.consent_required")
        );
        let unanswered = NewcomerForm {
            guardianship: String::new(),
            ..newcomer()
        };
        assert_eq!(
            parse(unanswered).unwrap_err(),
            AppError::invalid("guardianship", "error.required")
        );
        let child = NewcomerForm {
            birth_date: "2020-01-01".into(),
            ..newcomer()
        };
        assert_eq!(
            parse(child).unwrap_err(),
            AppError::invalid("birth_date", "signup.birth_date_unlikely")
        );
        let bad_postal = NewcomerForm {
            postal_code: "41".into(),
            ..newcomer()
        };
        assert_eq!(
            parse(bad_postal).unwrap_err(),
            AppError::invalid("postal_code", "error.postal_code")
        );
    }
}
