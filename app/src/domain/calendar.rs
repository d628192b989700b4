//! Shifts as iCalendar (RFC 5545): one .ics file per shift and a feed per
//! volunteer that phone calendars subscribe to. Times are local Danish wall
//! clock with a `VTIMEZONE` for Europe/Copenhagen, so calendars keep them
//! right across the change to and from summer time.

use super::seats::{SeatDetails, SeatStatus};
use chrono::{Duration, NaiveDate, NaiveTime};

/// One shift in a calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarEvent {
    pub uid: String,
    pub day: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub url: String,
    /// Invited but not yet answered.
    pub tentative: bool,
    pub geo: Option<(f64, f64)>,
}

impl CalendarEvent {
    pub fn from_seat(seat: &SeatDetails, public_url: &str, host: &str) -> Self {
        let mut description = format!("{} – {}", seat.election_title, seat.team);
        if !seat.task_description.is_empty() {
            description.push_str("\n\n");
            description.push_str(&seat.task_description);
        }
        CalendarEvent {
            uid: format!(
                "seat-{}-volunteer-{}@{host}",
                seat.seat_id,
                seat.volunteer_id.unwrap_or_default()
            ),
            day: seat.day,
            start: seat.start_time,
            end: seat.end_time,
            summary: format!("{}: {}", seat.task_type, seat.station_name),
            location: format!("{}, {}", seat.station_name, seat.address),
            description,
            url: format!("{public_url}/my-shifts#seat-{}", seat.seat_id),
            tentative: seat.status == SeatStatus::Invited,
            geo: seat.latitude.zip(seat.longitude),
        }
    }
}

const TIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// A whole calendar. `stamp` is when it was made (unix seconds, UTC).
pub fn ics(name: &str, events: &[CalendarEvent], stamp: i64) -> String {
    let stamp = chrono::DateTime::from_timestamp(stamp, 0)
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default();
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Valgvagt//Valgvagt//DA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        out.push_str(line);
        out.push_str("\r\n");
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    out.push_str("X-WR-TIMEZONE:Europe/Copenhagen\r\n");
    out.push_str(TIMEZONE);
    for e in events {
        // A shift that ends before it starts runs past midnight.
        let end_day = if e.end <= e.start {
            e.day + Duration::days(1)
        } else {
            e.day
        };
        out.push_str("BEGIN:VEVENT\r\n");
        push_line(&mut out, &format!("UID:{}", e.uid));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        push_line(
            &mut out,
            &format!("DTSTART;TZID=Europe/Copenhagen:{}", local(e.day, e.start)),
        );
        push_line(
            &mut out,
            &format!("DTEND;TZID=Europe/Copenhagen:{}", local(end_day, e.end)),
        );
        push_line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        push_line(&mut out, &format!("LOCATION:{}", escape(&e.location)));
        push_line(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        push_line(&mut out, &format!("URL:{}", e.url));
        if let Some((lat, lon)) = e.geo {
            push_line(&mut out, &format!("GEO:{lat:.6};{lon:.6}"));
        }
        push_line(
            &mut out,
            if e.tentative {
                "STATUS:TENTATIVE"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn local(day: NaiveDate, time: NaiveTime) -> String {
    format!("{}T{}", day.format("%Y%m%d"), time.format("%H%M%S"))
}

/// Text as an iCalendar value: `\\ ; ,` escaped, any line break (CRLF, LF
/// or a lone CR) as `\\n`, other control characters as spaces, so nothing
/// typed can end the property line or start another.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets are folded (RFC 5545 §3.1), never inside a
/// character.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(day: &str, start: (u32, u32), end: (u32, u32)) -> CalendarEvent {
        CalendarEvent {
            uid: "seat-1-volunteer-2@valg.example.dk".into(),
            day: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
            start: NaiveTime::from_hms_opt(start.0, start.1, 0).unwrap(),
            end: NaiveTime::from_hms_opt(end.0, end.1, 0).unwrap(),
            summary: "Tilforordnet: Rådhuset".into(),
            location: "Rådhuset, Torvet 1, 4200 Korsbæk".into(),
            description: "Folketingsvalg 2027; bring madpakke\nog pen".into(),
            url: "https://valg.example.dk/my-shifts#seat-1".into(),
            tentative: false,
            geo: Some((55.3, 11.2)),
        }
    }

    #[test]
    fn a_night_shift_ends_the_next_day_and_text_is_escaped() {
        let text = ics("Mine vagter", &[event("2027-05-04", (22, 0), (2, 0))], 0);
        assert!(text.contains("DTSTART;TZID=Europe/Copenhagen:20270504T220000\r\n"));
        assert!(text.contains("DTEND;TZID=Europe/Copenhagen:20270505T020000\r\n"));
        assert!(text.contains("DESCRIPTION:Folketingsvalg 2027\\; bring madpakke\\nog pen"));
        assert!(text.contains("LOCATION:Rådhuset\\, Torvet 1\\, 4200 Korsbæk"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut e = event("2027-05-04", (7, 0), (20, 0));
        e.description = "æøå ".repeat(40);
        let text = ics("x", &[e], 0);
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
    }
}
