//! Parsing helpers for raw form input: every field arrives as text and is
//! turned into a domain value here, with a locale key naming what was wrong.

use super::AppError;
use chrono::{NaiveDate, NaiveTime};

pub const MAX_TEXT: usize = 255;
pub const MAX_LONG_TEXT: usize = 4000;

/// A required single-line text, trimmed, at most 255 characters, with no
/// control characters (a line break in a name would break a CSV row, an
/// iCalendar line or a mail header).
pub fn required_text(field: &str, raw: &str) -> Result<String, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "error.required"));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(field, "error.too_long"));
    }
    refuse_control(field, value, false)?;
    Ok(value.to_string())
}

/// An optional text (empty means none), at most `max` characters. Up to
/// [`MAX_TEXT`] it is one line; a longer one (a note, a description) may
/// have line breaks, written as `\n`.
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    text(field, raw, max, max > MAX_TEXT)
}

/// A required text of several lines (a message), at most `max` characters.
pub fn required_message(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let value = text(field, raw, max, true)?;
    if value.is_empty() {
        return Err(AppError::invalid(field, "error.required"));
    }
    Ok(value)
}

/// Trimmed, `\r\n` written as `\n`, at most `max` characters, and no
/// control characters but (where `lines`) line breaks.
fn text(field: &str, raw: &str, max: usize, lines: bool) -> Result<String, AppError> {
    let value = raw.trim().replace("\r\n", "\n");
    if value.chars().count() > max {
        return Err(AppError::invalid(field, "error.too_long"));
    }
    refuse_control(field, &value, lines)?;
    Ok(value)
}

fn refuse_control(field: &str, value: &str, lines: bool) -> Result<(), AppError> {
    let bad = |c: char| c.is_control() && !(lines && c == '\n');
    if value.chars().any(bad) {
        return Err(AppError::invalid(field, "error.control_characters"));
    }
    Ok(())
}

pub fn date(field: &str, raw: &str) -> Result<NaiveDate, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "error.required"));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| AppError::invalid(field, "error.date"))
}

/// A clock time as the browser's time input sends it ("07:00" or "07:00:00").
pub fn time(field: &str, raw: &str) -> Result<NaiveTime, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "error.required"));
    }
    NaiveTime::parse_from_str(value, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(value, "%H:%M:%S"))
        .map_err(|_| AppError::invalid(field, "error.time"))
}

/// A path on this site to go on to after signing in (`/join/abc`); anything
/// that could lead elsewhere (`//host`, `/\\host`, a scheme) is dropped.
pub fn local_path(raw: &str) -> Option<String> {
    let path = raw.trim();
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 300
        && !path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    safe.then(|| path.to_string())
}

/// An id that may be left empty (a filter's "any").
pub fn optional_id(field: &str, raw: &str) -> Result<Option<super::Id>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        value => id(field, value).map(Some),
    }
}

/// A date that may be left empty (a filter's "any day").
pub fn optional_date(field: &str, raw: &str) -> Result<Option<NaiveDate>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        value => date(field, value).map(Some),
    }
}

/// A whole number in `min..=max`.
pub fn int_in(field: &str, raw: &str, min: i64, max: i64) -> Result<i64, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "error.required"));
    }
    let n: i64 = value
        .parse()
        .map_err(|_| AppError::invalid(field, "error.number"))?;
    if n < min {
        return Err(AppError::invalid(field, "error.too_small"));
    }
    if n > max {
        return Err(AppError::invalid(field, "error.too_large"));
    }
    Ok(n)
}

/// An id chosen from a list; anything that is not a positive integer is refused.
pub fn id(field: &str, raw: &str) -> Result<super::Id, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "error.required"));
    }
    match value.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(AppError::invalid(field, "error.unknown_choice")),
    }
}

/// An HTML checkbox: present ("on", "true") means checked, absent means not.
pub fn checkbox(raw: &Option<String>) -> bool {
    matches!(raw.as_deref(), Some("on" | "true" | "1" | "yes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_date_is_any_day_when_empty_and_checked_otherwise() {
        assert_eq!(optional_date("day", " "), Ok(None));
        assert_eq!(
            optional_date("day", "2027-05-04"),
            Ok(NaiveDate::from_ymd_opt(2027, 5, 4))
        );
        assert_eq!(
            optional_date("day", "4/5"),
            Err(AppError::invalid("day", "error.date"))
        );
    }

    #[test]
    fn one_line_texts_refuse_control_characters_and_notes_keep_their_lines() {
        for bad in [
            "Karen\nJensen",
            "Karen\rJensen",
            "Ka\u{7}ren",
            "Karen\tJensen",
        ] {
            assert_eq!(
                required_text("name", bad),
                Err(AppError::invalid("name", "error.control_characters")),
                "{bad:?}"
            );
            assert!(optional_text("city", bad, MAX_TEXT).is_err(), "{bad:?}");
        }
        assert_eq!(
            optional_text("notes", "Nøgle hos pedellen\r\nIndgang B", MAX_LONG_TEXT),
            Ok("Nøgle hos pedellen\nIndgang B".into())
        );
        assert!(optional_text("notes", "bip\u{7}", MAX_LONG_TEXT).is_err());
        assert_eq!(
            required_message("text", " Husk\nnøglen ", 400),
            Ok("Husk\nnøglen".into())
        );
        assert_eq!(
            required_message("text", "  ", 400),
            Err(AppError::invalid("text", "error.required"))
        );
        assert_eq!(
            required_message("text", "abcdef", 5),
            Err(AppError::invalid("text", "error.too_long"))
        );
    }

    #[test]
    fn text_is_trimmed_and_required() {
        assert_eq!(required_text("t", "  Rådhuset ").unwrap(), "Rådhuset");
        assert_eq!(
            required_text("t", "   ").unwrap_err(),
            AppError::invalid("t", "error.required")
        );
        let long = "å".repeat(256);
        assert_eq!(
            required_text("t", &long).unwrap_err(),
            AppError::invalid("t", "error.too_long")
        );
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(int_in("n", "3", 0, 10).unwrap(), 3);
        assert!(int_in("n", "-1", 0, 10).is_err());
        assert!(int_in("n", "11", 0, 10).is_err());
        assert!(int_in("n", "x", 0, 10).is_err());
        assert!(int_in("n", "", 0, 10).is_err());
    }

    #[test]
    fn times_accept_browser_formats() {
        assert_eq!(
            time("t", "07:30").unwrap(),
            NaiveTime::from_hms_opt(7, 30, 0).unwrap()
        );
        assert_eq!(
            time("t", "23:59:00").unwrap(),
            NaiveTime::from_hms_opt(23, 59, 0).unwrap()
        );
        assert!(time("t", "25:00").is_err());
    }

    #[test]
    fn ids_must_be_positive() {
        assert_eq!(id("x", "12").unwrap(), 12);
        assert!(id("x", "0").is_err());
        assert!(id("x", "abc").is_err());
    }

    #[test]
    fn only_paths_on_this_site_are_followed_after_sign_in() {
        assert_eq!(local_path("/join/abc"), Some("/join/abc".into()));
        assert_eq!(
            local_path("/my-shifts#seat-3"),
            Some("/my-shifts#seat-3".into())
        );
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "",
            "join",
            "/a b",
        ] {
            assert_eq!(local_path(bad), None, "{bad}");
        }
    }
}

/// Percent-encodes a query-string value (everything but letters, digits
/// and `-._~`), for links built in the browser too.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `path?k=v&…` from pairs, each value encoded.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod query_tests {
    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            super::with_query("/signin", &[("next", "/join/a b?x=1&y")]),
            "/signin?next=%2Fjoin%2Fa%20b%3Fx%3D1%26y"
        );
        assert_eq!(super::with_query("/volunteers", &[]), "/volunteers");
        assert_eq!(super::encode_query_value("æ"), "%C3%A6");
    }
}
