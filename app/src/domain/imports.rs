//! Importing volunteers from a spreadsheet saved as CSV: the columns are
//! found by their headings (Danish or English), every row is checked like a
//! newcomer's form, and a preview names each row's problems. A file with any
//! problem stores nothing.

use super::volunteers::NewcomerForm;
use super::AppError;
use serde::{Deserialize, Serialize};

/// Most rows one file may hold.
pub const MAX_ROWS: usize = 2000;
/// Most bytes one file may hold.
pub const MAX_BYTES: usize = 1_000_000;

/// The fields a file must have, and the headings that name each. The
/// declarations that decide eligibility are never guessed.
const REQUIRED: [(&str, &[&str]); 10] = [
    ("name", &["navn", "name", "fulde navn"]),
    ("email", &["email", "e-mail", "mail"]),
    (
        "phone",
        &["telefon", "phone", "mobil", "tlf", "mobilnummer"],
    ),
    (
        "birth_date",
        &["fødselsdato", "birth_date", "birth date", "født"],
    ),
    ("address", &["adresse", "address"]),
    (
        "postal_code",
        &["postnr", "postnummer", "postal_code", "postal code"],
    ),
    ("city", &["by", "city", "bynavn"]),
    ("resident", &["bor i kommunen", "resident"]),
    ("citizenship", &["statsborgerskab", "citizenship"]),
    ("guardianship", &["værgemål", "guardianship"]),
];

/// One data row, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// Line number in the file (the heading is line 1).
    pub line: usize,
    pub name: String,
    pub email: String,
    pub problems: Vec<AppError>,
}

/// What a file holds: its rows, or why it cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows: Vec<ImportRow>,
    /// How many were stored (0 for a preview or a refused file).
    pub imported: usize,
    /// Names the file's contents: storing needs the digest of the file
    /// that was previewed.
    pub digest: String,
}

impl ImportReport {
    pub fn problem_rows(&self) -> usize {
        self.rows.iter().filter(|r| !r.problems.is_empty()).count()
    }
}

/// Splits CSV text into rows of cells: quoted cells may hold the separator,
/// line breaks and doubled quotes. The separator is the first line's most
/// common of `;`, `,` and tab (Danish spreadsheets write semicolons).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let separator = [';', ',', '\t']
        .into_iter()
        .max_by_key(|c| first.matches(*c).count())
        .unwrap_or(';');
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if cell.is_empty() => quoted = true,
            c if c == separator && !quoted => row.push(std::mem::take(&mut cell)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            c => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows.retain(|r| r.iter().any(|c| !c.trim().is_empty()));
    rows
}

/// Where each field is in a file's rows, from its heading.
#[derive(Debug, Clone)]
pub struct Columns {
    found: Vec<(&'static str, usize)>,
}

impl Columns {
    /// Refused (`import.missing_column`, naming it) when a required field
    /// has no column.
    pub fn from_heading(heading: &[String]) -> Result<Self, AppError> {
        let position = |names: &[&str]| {
            heading
                .iter()
                .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
        };
        let mut found = Vec::new();
        for (field, names) in REQUIRED {
            match position(names) {
                Some(at) => found.push((field, at)),
                None => {
                    return Err(AppError::Refused {
                        key: "import.missing_column".into(),
                        arg: Some(names[0].to_string()),
                    })
                }
            }
        }
        Ok(Columns { found })
    }

    /// A row as the newcomer form would have it, with Danish spreadsheet
    /// habits (ja/nej, dansk, 24-12-1980) turned into the form's values.
    pub fn form(&self, cells: &[String]) -> NewcomerForm {
        let value = |field: &str| -> String {
            self.found
                .iter()
                .find(|(f, _)| *f == field)
                .and_then(|(_, at)| cells.get(*at))
                .map(|c| c.trim().to_string())
                .unwrap_or_default()
        };
        NewcomerForm {
            name: value("name"),
            email: value("email"),
            phone: value("phone"),
            birth_date: iso_date(&value("birth_date")),
            address: value("address"),
            postal_code: value("postal_code"),
            city: value("city"),
            resident: yes_no(&value("resident")),
            citizenship: citizenship(&value("citizenship")),
            guardianship: yes_no(&value("guardianship")),
            diets: Vec::new(),
            consent: None,
        }
    }
}

fn yes_no(raw: &str) -> String {
    match raw.to_lowercase().as_str() {
        "ja" | "j" | "yes" | "y" | "1" | "true" | "x" => "yes".into(),
        "nej" | "n" | "no" | "0" | "false" => "no".into(),
        other => other.into(),
    }
}

fn citizenship(raw: &str) -> String {
    match raw.to_lowercase().as_str() {
        "dansk" | "danish" | "dk" | "danmark" => "danish".into(),
        "eu" | "eu-borger" | "eu citizen" => "eu".into(),
        "anden" | "andet" | "other" => "other".into(),
        other => other.into(),
    }
}

/// "24-12-1980", "24.12.1980" and "24/12/1980" as "1980-12-24"; anything
/// else as written (the date check then names it).
fn iso_date(raw: &str) -> String {
    let parts: Vec<&str> = raw.split(['-', '.', '/']).collect();
    match parts.as_slice() {
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cells_keep_separators_quotes_and_line_breaks() {
        let rows = parse_csv(
            "\u{feff}navn;adresse\r\n\"Jensen; Karen\";\"Algade \"\"3\"\"\nst.\"\r\n\r\n",
        );
        assert_eq!(
            rows,
            vec![
                vec!["navn".to_string(), "adresse".to_string()],
                vec!["Jensen; Karen".to_string(), "Algade \"3\"\nst.".to_string()],
            ]
        );
        assert_eq!(parse_csv("a,b\n1,2")[1], vec!["1", "2"]);
    }

    #[test]
    fn headings_are_found_in_either_language_and_a_missing_one_is_named() {
        let heading: Vec<String> = [
            "Name",
            "E-mail",
            "Telefon",
            "Fødselsdato",
            "Adresse",
            "Postnr",
            "By",
            "Bor i kommunen",
            "Statsborgerskab",
            "Værgemål",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let columns = Columns::from_heading(&heading).unwrap();
        let row: Vec<String> = [
            "Karen",
            "k@example.dk",
            "20304050",
            "4.3.1970",
            "Algade 3",
            "4200",
            "Korsbæk",
            "ja",
            "EU",
            "nej",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let form = columns.form(&row);
        assert_eq!(form.birth_date, "1970-03-04");
        assert_eq!(form.citizenship, "eu");
        assert_eq!(form.resident, "yes");
        assert_eq!(form.guardianship, "no");
        assert_eq!(
            Columns::from_heading(&heading[1..]).unwrap_err(),
            AppError::Refused {
                key: "import.missing_column".into(),
                arg: Some("navn".into())
            }
        );
    }
}
