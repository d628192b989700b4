//! Property tests: whatever a person (or a script) types, every form parser
//! and the CSV importer either accept it or name a translated problem, and
//! never panic; the ICS and CSV writers never let typed text break a line
//! or start a formula.

use super::AppError;
use crate::i18n::{translate, Locale};
use proptest::prelude::*;

/// A refusal people can read: its key exists in both languages.
fn translated(error: &AppError) -> bool {
    let key = error.message_key();
    [Locale::Da, Locale::En]
        .into_iter()
        .all(|locale| translate(locale, key) != key)
}

fn check<T>(result: Result<T, AppError>) -> Result<(), TestCaseError> {
    if let Err(error) = result {
        prop_assert!(translated(&error), "untranslated: {error:?}");
    }
    Ok(())
}

/// Text with the awkward parts over-represented: control characters,
/// separators, quotes, formula starters, long runs and non-ASCII.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(
            prop_oneof![
                Just('\r'),
                Just('\n'),
                Just('\t'),
                Just('\0'),
                Just(';'),
                Just(','),
                Just('"'),
                Just('\\'),
                Just('='),
                Just('+'),
                Just('-'),
                Just('@'),
                Just(' '),
                Just('ø'),
                Just('\u{202e}'),
                proptest::char::range('a', 'z'),
                proptest::char::range('0', '9'),
            ],
            0..300,
        )
        .prop_map(|chars| chars.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn form_fields_parse_or_name_a_translated_problem(raw in nasty_text()) {
        use super::forms;
        check(forms::required_text("name", &raw))?;
        check(forms::optional_text("note", &raw, 255))?;
        check(forms::required_message("text", &raw, 2000))?;
        check(forms::date("day", &raw))?;
        check(forms::time("start", &raw))?;
        check(forms::id("id", &raw))?;
        check(forms::optional_id("id", &raw))?;
        check(forms::optional_date("day", &raw))?;
        check(super::cpr::CprNumber::parse("cpr", &raw))?;
        check(forms::int_in("days", &raw, 1, 30))?;
        let _ = forms::local_path(&raw);
        check(super::volunteers::EmailAddress::parse("email", &raw))?;
        check(super::volunteers::PhoneNumber::parse("phone", &raw))?;
        check(super::volunteers::parse_municipality_code("code", &raw))?;
        check(super::volunteers::parse_note(&raw))?;
        check(super::accounts::parse_passkey_name(&raw))?;
        check(super::accounts::parse_sign_in_code(&raw))?;
    }

    #[test]
    fn accepted_one_line_text_carries_no_control_characters(raw in nasty_text()) {
        if let Ok(text) = super::forms::required_text("name", &raw) {
            prop_assert!(!text.chars().any(char::is_control), "{text:?}");
        }
        if let Ok(text) = super::forms::optional_text("note", &raw, 255) {
            prop_assert!(!text.chars().any(char::is_control), "{text:?}");
        }
    }

    #[test]
    fn any_csv_file_imports_or_names_its_problems(text in nasty_text(), heading in any::<bool>()) {
        use super::imports::{parse_csv, Columns};
        let text = if heading {
            format!("navn;email;telefon;fødselsdato;adresse;postnr;by;statsborgerskab;bopæl;værgemål\n{text}")
        } else {
            text
        };
        let rows = parse_csv(&text);
        if let Some((head, body)) = rows.split_first() {
            match Columns::from_heading(head) {
                Err(error) => prop_assert!(translated(&error), "{error:?}"),
                Ok(columns) => {
                    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default();
                    for row in body {
                        let form = columns.form(row);
                        if let Err(problems) = form.check("999", super::volunteers::Language::Da, today, None) {
                            for problem in problems {
                                prop_assert!(translated(&problem), "{problem:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_calendar_stays_one_property_per_line_whatever_the_text(
        summary in nasty_text(),
        location in nasty_text(),
        description in nasty_text(),
        name in nasty_text(),
    ) {
        use super::calendar::{ics, CalendarEvent};
        let day = chrono::NaiveDate::from_ymd_opt(2027, 5, 4).unwrap_or_default();
        let event = CalendarEvent {
            uid: "seat-1@valg.example.dk".into(),
            day,
            start: chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
            end: chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap_or_default(),
            summary,
            location,
            description,
            url: "https://valg.example.dk/my-shifts".into(),
            tentative: false,
            geo: None,
        };
        let calendar = ics(&name, &[event], 0);
        // Every line ends in CRLF; no CR or LF anywhere else.
        prop_assert!(calendar.ends_with("\r\n"));
        for line in calendar.split("\r\n") {
            prop_assert!(!line.contains(['\r', '\n']), "{line:?}");
            prop_assert!(line.len() <= 75, "folded at 75 octets: {line:?}");
        }
        // Unfolded, the event has exactly its own properties, in order.
        let unfolded = calendar.replace("\r\n ", "");
        let names: Vec<&str> = unfolded
            .split("\r\n")
            .skip_while(|l| *l != "BEGIN:VEVENT")
            .take_while(|l| *l != "END:VEVENT")
            .filter_map(|l| l.split([':', ';']).next())
            .collect();
        prop_assert_eq!(
            names,
            vec!["BEGIN", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION", "URL", "STATUS"]
        );
        prop_assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 1);
    }

    #[test]
    fn a_csv_export_is_one_line_per_row_and_never_a_formula(
        cells in proptest::collection::vec(nasty_text(), 1..6),
    ) {
        let headers: Vec<String> = (0..cells.len()).map(|n| format!("kolonne {n}")).collect();
        let csv = super::lists::to_csv(&headers, std::slice::from_ref(&cells));
        let body = csv.strip_suffix("\r\n").unwrap_or(&csv);
        let lines: Vec<&str> = body.split("\r\n").collect();
        prop_assert_eq!(lines.len(), 2, "heading and one row: {:?}", csv);
        prop_assert!(!lines[1].contains(['\r', '\n']));
        // Split the row back into cells (quotes double inside quoted cells).
        let mut fields = Vec::new();
        let mut current = String::new();
        let mut quoted = false;
        let mut chars = lines[1].chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    current.push('"');
                }
                ('"', _) => quoted = !quoted,
                (';', false) => fields.push(std::mem::take(&mut current)),
                (c, _) => current.push(c),
            }
        }
        fields.push(current);
        prop_assert_eq!(fields.len(), cells.len(), "{:?}", lines[1]);
        for field in fields {
            let start = field.trim_start_matches(char::is_whitespace);
            let formula = start.starts_with(['=', '@'])
                || (start.starts_with(['+', '-'])
                    && !start[1..].chars().all(|c| c.is_ascii_digit() || " .,".contains(c)));
            prop_assert!(!formula, "a formula got through: {field:?}");
        }
    }
}
