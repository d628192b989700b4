//! Danish first, English second. Texts live in `app/locales/{da,en}.json`
//! (flat keys); code only names keys. The locale is decided on the server
//! (the visitor's choice in a cookie, else Danish) and written into
//! `<html lang>`; an island in the browser shows the texts the server
//! translated for it ([`Texts`]).

use leptos::prelude::*;
use std::collections::HashMap;
#[cfg(not(feature = "hydrate"))]
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Da,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Locale::Da => "da",
            Locale::En => "en",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "da" | "da-dk" => Some(Locale::Da),
            "en" | "en-gb" | "en-us" => Some(Locale::En),
            _ => None,
        }
    }

    /// The other language, for the switch in the header.
    pub fn other(self) -> Self {
        match self {
            Locale::Da => Locale::En,
            Locale::En => Locale::Da,
        }
    }
}

// The translation tables live on the server only. The browser runs small
// islands (see `browser`), and both tables compiled into the wasm would be a
// large part of it; an island is handed the few texts it shows instead
// ([`Texts`]).
#[cfg(not(feature = "hydrate"))]
fn load(source: &str) -> HashMap<String, String> {
    // The files are compiled in; a broken file is caught by the tests below.
    serde_json::from_str(source).unwrap_or_default()
}

#[cfg(not(feature = "hydrate"))]
static DA: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../locales/da.json")));
#[cfg(not(feature = "hydrate"))]
static EN: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| load(include_str!("../locales/en.json")));

/// The text for `key`; falls back to Danish, then to the key itself.
#[cfg(not(feature = "hydrate"))]
pub fn translate(locale: Locale, key: &str) -> String {
    let table = match locale {
        Locale::Da => &*DA,
        Locale::En => &*EN,
    };
    table
        .get(key)
        .or_else(|| DA.get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// In the browser: the text the server handed over for `key` (already in
/// the page's language), else the key itself.
#[cfg(feature = "hydrate")]
pub fn translate(_locale: Locale, key: &str) -> String {
    HANDED_OVER
        .with(|texts| texts.borrow().get(key).cloned())
        .unwrap_or_else(|| key.to_string())
}

#[cfg(feature = "hydrate")]
thread_local! {
    static HANDED_OVER: std::cell::RefCell<HashMap<String, String>> =
        std::cell::RefCell::new(HashMap::new());
}

/// Error texts every island may have to show, whatever it calls: the
/// errors without a key of their own. An error with a key brings its words
/// along (see `AppError`'s encoding).
const ALWAYS: [&str; 5] = [
    "error.unauthenticated",
    "error.forbidden",
    "error.not_found",
    "error.server",
    "error.bad_request",
];

/// The texts an island shows, translated on the server into the reader's
/// language and handed to the island as a prop. In the browser, `t()` then
/// finds them once the island has called [`Texts::install`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Texts(Vec<(String, String)>);

impl Texts {
    /// The texts of `keys` in the page's language; a key ending in `.`
    /// stands for its whole family (`"scanner."`).
    pub fn of(keys: &[&str]) -> Self {
        let locale = use_locale();
        let mut texts: Vec<(String, String)> = Vec::new();
        let mut add = |key: &str| {
            if !texts.iter().any(|(k, _)| k == key) {
                texts.push((key.to_string(), translate(locale, key)));
            }
        };
        for key in keys.iter().copied().chain(ALWAYS) {
            match key.strip_suffix('.') {
                Some(_) => family(key).into_iter().for_each(|k| add(&k)),
                None => add(key),
            }
        }
        Texts(texts)
    }

    /// Makes these texts what `t()` returns in this browser.
    pub fn install(&self) {
        #[cfg(feature = "hydrate")]
        HANDED_OVER.with(|handed| {
            let mut handed = handed.borrow_mut();
            for (key, text) in &self.0 {
                handed.insert(key.clone(), text.clone());
            }
        });
    }
}

/// Every key that starts with `prefix`, in order.
#[cfg(not(feature = "hydrate"))]
fn family(prefix: &str) -> Vec<String> {
    let mut keys: Vec<String> = DA
        .keys()
        .filter(|k| k.starts_with(prefix))
        .cloned()
        .collect();
    keys.sort();
    keys
}

#[cfg(feature = "hydrate")]
fn family(_prefix: &str) -> Vec<String> {
    Vec::new()
}

/// Adds texts the server sent along with something else (an error's words).
#[cfg(feature = "hydrate")]
pub fn hand_over(key: &str, text: &str) {
    HANDED_OVER.with(|handed| {
        handed
            .borrow_mut()
            .insert(key.to_string(), text.to_string());
    });
}

/// The locale of the page being rendered (in an island, the page's
/// `<html lang>`).
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_else(crate::request_locale)
}

/// Translates `key` in the page's locale.
pub fn t(key: &str) -> String {
    translate(use_locale(), key)
}

/// Translates `key` and fills `{name}` placeholders.
pub fn t_with(key: &str, args: &[(&str, &str)]) -> String {
    let mut text = t(key);
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// A date as people write it: "tirsdag 1. juni 2027" / "Tuesday 1 June 2027".
pub fn long_date(day: chrono::NaiveDate) -> String {
    long_date_in(use_locale(), day)
}

/// [`long_date`] in a given language (messages sent outside a page).
pub fn long_date_in(locale: Locale, day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let weekday = translate(
        locale,
        &format!("weekday.{}", day.weekday().num_days_from_monday()),
    );
    let month = translate(locale, &format!("month.{}", day.month()));
    match locale {
        Locale::Da => format!("{weekday} {}. {month} {}", day.day(), day.year()),
        Locale::En => format!("{weekday} {} {month} {}", day.day(), day.year()),
    }
}

/// A short date for tables: "1.6.2027" / "1 Jun 2027".
pub fn short_date(day: chrono::NaiveDate) -> String {
    short_date_in(use_locale(), day)
}

pub fn short_date_in(locale: Locale, day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    match locale {
        Locale::Da => format!("{}.{}.{}", day.day(), day.month(), day.year()),
        Locale::En => {
            let month = translate(locale, &format!("month.{}", day.month()));
            let abbreviated: String = month.chars().take(3).collect();
            format!("{} {abbreviated} {}", day.day(), day.year())
        }
    }
}

/// The unix time of a Danish wall-clock time (the first of the two, in the
/// hour that repeats when summer time ends).
pub fn copenhagen_to_unix(day: chrono::NaiveDate, time: chrono::NaiveTime) -> i64 {
    let local = day.and_time(time).and_utc().timestamp();
    for offset in [7200, 3600] {
        let at = local - offset;
        if copenhagen_time(at).is_some_and(|t| t.offset().local_minus_utc() as i64 == offset) {
            return at;
        }
    }
    // In the hour skipped when summer time begins: count it as winter time.
    local - 3600
}

/// The date in Denmark at a unix timestamp (where every election day is
/// counted); the epoch's date for a time chrono cannot hold.
pub fn copenhagen_date(at: i64) -> chrono::NaiveDate {
    copenhagen_time(at)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// Danish time for a unix timestamp: UTC+1, and UTC+2 from the last Sunday
/// of March to the last Sunday of October (01:00 UTC both ways).
pub fn copenhagen_time(at: i64) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
    let utc = chrono::DateTime::from_timestamp(at, 0)?;
    let last_sunday = |month: u32| {
        let mut day = NaiveDate::from_ymd_opt(utc.year(), month, 31)?;
        while day.weekday() != Weekday::Sun {
            day = day.pred_opt()?;
        }
        Some(chrono::Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0)?))
    };
    let summer = Some(utc) >= last_sunday(3) && Some(utc) < last_sunday(10);
    let offset = chrono::FixedOffset::east_opt(if summer { 7200 } else { 3600 })?;
    Some(utc.with_timezone(&offset))
}

/// The Danish calendar date of a timestamp, short form.
pub fn short_date_at(at: i64) -> String {
    copenhagen_time(at)
        .map(|t| short_date(t.date_naive()))
        .unwrap_or_default()
}

/// The Danish date and clock time of a timestamp: "1.6.2027 14:05".
pub fn date_time_at(at: i64) -> String {
    date_time_in(use_locale(), at)
}

pub fn date_time_in(locale: Locale, at: i64) -> String {
    copenhagen_time(at)
        .map(|t| {
            format!(
                "{} {}",
                short_date_in(locale, t.date_naive()),
                t.format("%H:%M")
            )
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn danish_summer_time() {
        use chrono::TimeZone;
        let offset = |y, mo, d, h, mi| {
            let at = chrono::Utc
                .with_ymd_and_hms(y, mo, d, h, mi, 0)
                .unwrap()
                .timestamp();
            super::copenhagen_time(at)
                .unwrap()
                .offset()
                .local_minus_utc()
        };
        assert_eq!(offset(2027, 1, 10, 12, 0), 3600);
        assert_eq!(offset(2027, 6, 1, 12, 0), 7200);
        // 2027: summer time from 28 March 01:00 UTC to 31 October 01:00 UTC.
        assert_eq!(offset(2027, 3, 28, 0, 59), 3600);
        assert_eq!(offset(2027, 3, 28, 1, 0), 7200);
        assert_eq!(offset(2027, 10, 31, 0, 59), 7200);
        assert_eq!(offset(2027, 10, 31, 1, 0), 3600);
    }

    #[test]
    fn danish_wall_clock_to_unix_and_back() {
        use chrono::{NaiveDate, NaiveTime};
        let at = |y, m, d, h| {
            super::copenhagen_to_unix(
                NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                NaiveTime::from_hms_opt(h, 0, 0).unwrap(),
            )
        };
        // 07:00 in May is 05:00 UTC; in January 06:00 UTC.
        assert_eq!(at(2027, 5, 4, 7), 1_809_406_800);
        assert_eq!(at(2027, 1, 4, 7), 1_799_042_400);
        for (y, m, d, h) in [(2027, 5, 4, 7), (2027, 1, 4, 7), (2027, 10, 31, 12)] {
            let t = super::copenhagen_time(at(y, m, d, h)).unwrap();
            assert_eq!(
                t.format("%Y-%m-%d %H").to_string(),
                format!("{y}-{m:02}-{d:02} {h:02}")
            );
        }
    }

    use super::*;
    use std::collections::BTreeSet;

    fn keys(source: &str) -> BTreeSet<String> {
        let map: HashMap<String, String> =
            serde_json::from_str(source).expect("locale file is valid JSON");
        map.into_keys().collect()
    }

    #[test]
    fn both_locales_have_the_same_keys() {
        let da = keys(include_str!("../locales/da.json"));
        let en = keys(include_str!("../locales/en.json"));
        let only_da: Vec<_> = da.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&da).collect();
        assert!(only_da.is_empty(), "missing in en.json: {only_da:?}");
        assert!(only_en.is_empty(), "missing in da.json: {only_en:?}");
    }

    /// The string literals of Rust source, as written (escapes not decoded):
    /// skips comments, char literals such as `'"'` and lifetimes, and reads
    /// raw strings (`r#"…"#`) whole, so a quote in any of them cannot throw
    /// the pairing of quotes off.
    fn string_literals(src: &str) -> Vec<&str> {
        let bytes = src.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut found = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    i = src[i..].find('\n').map_or(bytes.len(), |n| i + n);
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let mut depth = 0;
                    while i < bytes.len() {
                        if bytes[i..].starts_with(b"/*") {
                            depth += 1;
                            i += 2;
                        } else if bytes[i..].starts_with(b"*/") {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                }
                b'\'' => {
                    // 'x', '\n', '\u{..}' are chars; 'a without a close is a lifetime.
                    if bytes.get(i + 1) == Some(&b'\\') {
                        // Past the backslash and the escaped character.
                        i += 3;
                        while i < bytes.len() && bytes[i] != b'\'' {
                            i += 1;
                        }
                        i += 1;
                    } else {
                        let width = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                        i += if bytes.get(i + 1 + width) == Some(&b'\'') {
                            width + 2
                        } else {
                            1
                        };
                    }
                }
                b'r' if (i == 0 || !ident(bytes[i - 1]))
                    && matches!(bytes.get(i + 1), Some(b'"') | Some(b'#')) =>
                {
                    let hashes = bytes[i + 1..].iter().take_while(|b| **b == b'#').count();
                    let open = i + 1 + hashes;
                    if bytes.get(open) != Some(&b'"') {
                        i += 1;
                        continue;
                    }
                    let close = format!("\"{}", "#".repeat(hashes));
                    let end = src[open + 1..]
                        .find(&close)
                        .map_or(bytes.len(), |n| open + 1 + n);
                    found.push(&src[open + 1..end]);
                    i = end + close.len();
                }
                b'"' => {
                    let start = i + 1;
                    i = start;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    found.push(&src[start..i.min(bytes.len())]);
                    i += 1;
                }
                b if ident(b) => {
                    // A whole identifier, so the `r` of `for` is no raw string.
                    while i < bytes.len() && ident(bytes[i]) {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
        found
    }

    #[test]
    fn string_literals_are_found_past_quotes_in_chars_comments_and_raw_strings() {
        let src = r##"let q = '"'; let s = '\''; let e = "a \" b"; // "comment.key"
/* "block.key" */ let r = r#"raw "x" y"#; fn f<'a>(x: &'a str) {} let k = "privacy.title";"##;
        assert_eq!(
            string_literals(src),
            vec![r#"a \" b"#, r#"raw "x" y"#, "privacy.title"]
        );
    }

    /// Every string literal in the app's and the server's sources that looks
    /// like a locale key (a dotted name in one of the locale files'
    /// namespaces) exists, and every family of keys built at run time
    /// (`"audit.action.{}"`) has members.
    #[test]
    fn every_key_used_in_code_exists() {
        let da = keys(include_str!("../locales/da.json"));
        let namespaces: BTreeSet<&str> = da.iter().filter_map(|k| k.split('.').next()).collect();
        // Host names such as "push.apple.com" share a namespace's first word.
        let host = |s: &str| {
            s.rsplit('.')
                .next()
                .is_some_and(|tld| ["com", "dk", "org", "net"].contains(&tld))
        };
        let key_like = |s: &str| {
            !host(s)
                && s.contains('.')
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                && s.split('.')
                    .next()
                    .is_some_and(|ns| namespaces.contains(ns))
        };
        let mut missing = Vec::new();
        let mut checked = 0;
        let roots = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/../server/src"),
        ];
        let mut stack: Vec<std::path::PathBuf> =
            roots.iter().map(std::path::PathBuf::from).collect();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).expect("read source");
                    for literal in string_literals(&text) {
                        // A family: "ns.prefix.{…}" (a format string).
                        if let Some((prefix, _)) = literal.split_once('{') {
                            if prefix.ends_with('.') && key_like(prefix.trim_end_matches('.')) {
                                checked += 1;
                                if !da.iter().any(|k| k.starts_with(prefix)) {
                                    missing.push(format!("{}: {literal}", path.display()));
                                }
                            }
                        } else if key_like(literal) && !literal.ends_with('.') {
                            checked += 1;
                            if !da.contains(literal) {
                                missing.push(format!("{}: {literal}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(
            checked > 500,
            "only {checked} keys found: is the scan broken?"
        );
        assert!(
            missing.is_empty(),
            "keys missing from da.json: {missing:#?}"
        );
    }
}
