//! Messages to volunteers: what kinds there are, over which channels they go,
//! and the templates they are written from. Delivery itself (the outbox and
//! its worker) lives in the server.

use super::{AppError, Id};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a message reaches a person, in the order they are tried by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Push,
    Email,
    Sms,
    /// The citizen's public mailbox (SF1601), by their CPR number.
    DigitalPost,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Self::Push, Self::Email, Self::Sms, Self::DigitalPost];

    /// The channels that have words of their own; Digital Post letters are
    /// written from the e-mail's (see [`Channel::words`]).
    pub const WRITTEN: [Channel; 3] = [Self::Push, Self::Email, Self::Sms];

    /// What people start with until they choose (the column's default).
    pub const DEFAULT_LIST: &'static str = "push,email,sms";

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Push => "push",
            Self::Email => "email",
            Self::Sms => "sms",
            Self::DigitalPost => "digital_post",
        }
    }

    /// The channel whose template a message on this one is written from.
    pub fn words(self) -> Channel {
        match self {
            Self::DigitalPost => Self::Email,
            other => other,
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    /// "push,email" → [Push, Email]; unknown names and repeats are dropped.
    pub fn parse_list(raw: &str) -> Vec<Channel> {
        let mut list = Vec::new();
        for channel in raw.split(',').filter_map(|c| Channel::parse(c.trim())) {
            if !list.contains(&channel) {
                list.push(channel);
            }
        }
        list
    }

    /// The channel a message will go out on first: the first of the
    /// person's channels that can reach them (push needs a device, SMS a
    /// gateway and a phone number, Digital Post the service, a CPR number
    /// and no exemption). `None` when none can.
    pub fn first_reaching(list: &[Channel], reach: Reach) -> Option<Channel> {
        reach.order(list).into_iter().find(|c| match c {
            Channel::Push => reach.push,
            Channel::Email => reach.email,
            Channel::Sms => reach.sms,
            Channel::DigitalPost => reach.digital_post,
        })
    }

    pub fn list_to_string(list: &[Channel]) -> String {
        list.iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Which channels can reach one person now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    /// They have a device with push turned on.
    pub push: bool,
    pub email: bool,
    /// SMS is configured and they have a number it may go to.
    pub sms: bool,
    /// Digital Post is configured, their CPR number is on record and the
    /// register does not say they are exempt.
    pub digital_post: bool,
    /// The municipality makes Digital Post the first channel for people
    /// without a smartphone who never chose their channels themselves.
    pub digital_post_first: bool,
}

impl Reach {
    /// The order `list` is tried in: as the person chose, except that a
    /// person who never chose and has no push device gets Digital Post
    /// first when the municipality says so.
    pub fn order(&self, list: &[Channel]) -> Vec<Channel> {
        let untouched = Channel::list_to_string(list) == Channel::DEFAULT_LIST;
        if self.digital_post_first && self.digital_post && !self.push && untouched {
            let mut order = vec![Channel::DigitalPost];
            order.extend(list.iter().copied().filter(|c| *c != Channel::DigitalPost));
            return order;
        }
        list.to_vec()
    }
}

/// What a message is about. The names are stable (stored in the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Invitation,
    InvitationReminder,
    InvitationExpired,
    RegistrationConfirmation,
    CancellationConfirmation,
    ShiftReminder,
    RemovedFromShift,
    ShiftChanged,
    /// A coordinator's own words.
    FreeText,
    /// A freed seat offered to the first in its standby queue.
    StandbyOffer,
    /// To coordinators: a volunteer deleted their account and left a seat.
    VolunteerLeft,
    /// To the station and coordinators, on the day: someone is delayed.
    VolunteerDelayed,
    /// To the station and coordinators, on the day: someone cannot come.
    VolunteerCannotCome,
    /// An open seat offered to a group: the first to take it gets it.
    CoverCall,
    /// To the others of a call: the seat has been taken.
    CoverTaken,
}

impl MessageKind {
    pub const ALL: [MessageKind; 15] = [
        Self::Invitation,
        Self::InvitationReminder,
        Self::InvitationExpired,
        Self::RegistrationConfirmation,
        Self::CancellationConfirmation,
        Self::ShiftReminder,
        Self::RemovedFromShift,
        Self::ShiftChanged,
        Self::FreeText,
        Self::StandbyOffer,
        Self::VolunteerLeft,
        Self::VolunteerDelayed,
        Self::VolunteerCannotCome,
        Self::CoverCall,
        Self::CoverTaken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::InvitationReminder => "invitation_reminder",
            Self::InvitationExpired => "invitation_expired",
            Self::RegistrationConfirmation => "registration_confirmation",
            Self::CancellationConfirmation => "cancellation_confirmation",
            Self::ShiftReminder => "shift_reminder",
            Self::RemovedFromShift => "removed_from_shift",
            Self::ShiftChanged => "shift_changed",
            Self::FreeText => "free_text",
            Self::StandbyOffer => "standby_offer",
            Self::VolunteerLeft => "volunteer_left",
            Self::VolunteerDelayed => "volunteer_delayed",
            Self::VolunteerCannotCome => "volunteer_cannot_come",
            Self::CoverCall => "cover_call",
            Self::CoverTaken => "cover_taken",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Messages that offer the recipient a seat: they carry a personal
    /// answer link (`{answer_url}`).
    pub fn offers_seat(self) -> bool {
        self.answerable() || self == Self::CoverCall
    }

    /// Invitations can be answered from the notification itself.
    pub fn answerable(self) -> bool {
        matches!(
            self,
            Self::Invitation | Self::InvitationReminder | Self::StandbyOffer
        )
    }
}

/// The words every template may use, in braces: `{name}`.
pub const PLACEHOLDERS: &[&str] = &[
    "name",
    "election",
    "task_type",
    "station",
    "address",
    "date",
    "start",
    "end",
    "payment",
    "respond_by",
    "accept_url",
    "decline_url",
    "answer_url",
    "shift_url",
    "shifts_url",
    "message",
    "municipality",
];

/// The parts of one message on one channel: push has a title and a short
/// body, SMS only a short body, email a subject and a rich body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Push title or email subject; empty for SMS.
    pub subject: String,
    pub body: String,
}

/// Placeholder values of one message, e.g. `name` → "Karen Jensen".
pub type Params = BTreeMap<String, String>;

/// Fills `{placeholder}`s from `params`; unknown ones are left as written.
pub fn render(text: &str, params: &Params) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if params.contains_key(&after[..close]) => {
                out.push_str(&params[&after[..close]]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders a text uses that do not exist.
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let word = &after[..close];
        if !PLACEHOLDERS.contains(&word) && !unknown.iter().any(|u| u == word) {
            unknown.push(word.to_string());
        }
        rest = &after[close + 1..];
    }
    unknown
}

/// A template as a coordinator wrote it: refused if it names a placeholder
/// that does not exist, or is empty where text is needed.
pub fn parse_template(channel: Channel, subject: &str, body: &str) -> Result<Template, AppError> {
    let subject = subject.trim().to_string();
    let body = body.trim().to_string();
    if body.is_empty() {
        return Err(AppError::invalid("body", "error.required"));
    }
    if channel != Channel::Sms && subject.is_empty() {
        return Err(AppError::invalid("subject", "error.required"));
    }
    for (field, text) in [("subject", &subject), ("body", &body)] {
        if let Some(word) = unknown_placeholders(text).into_iter().next() {
            return Err(AppError::Refused {
                key: format!("templates.unknown_placeholder.{field}"),
                arg: Some(word),
            });
        }
    }
    let limit = match channel {
        Channel::Push => MAX_PUSH_TEXT,
        Channel::Sms => MAX_SMS_TEXT,
        Channel::Email | Channel::DigitalPost => MAX_EMAIL_TEXT,
    };
    if body.chars().count() > limit {
        return Err(AppError::invalid("body", "error.too_long"));
    }
    Ok(Template { subject, body })
}

/// Push payloads must stay well under the 4 KB a push service accepts
/// (3,052 bytes of plaintext after encryption overhead).
pub const MAX_PUSH_TEXT: usize = 400;
/// Three SMS parts at most.
pub const MAX_SMS_TEXT: usize = 459;
pub const MAX_EMAIL_TEXT: usize = 5000;

/// What the service worker receives in a push message: short, and with
/// what it needs to show the notification and act on a tap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPayload {
    pub title: String,
    pub body: String,
    /// Notifications with the same tag replace each other (one per seat).
    pub tag: String,
    /// The page a tap opens.
    pub url: String,
    pub lang: String,
    /// For invitations: the seat that "Accept" and "Decline" answer.
    pub seat_id: Option<Id>,
    /// The token of the message's answer link: "Accept" and "Decline"
    /// answer with it, so they work without a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Button labels, in the person's language.
    pub actions: Vec<PushAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushAction {
    pub action: String,
    pub title: String,
}

/// Wait before the next try after `attempts` failed ones: 30 s, 1 min, 2 min …
/// at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exponent = attempts.clamp(0, 7) as u32;
    (30 * 2_i64.pow(exponent)).min(3600)
}

/// How many tries a message gets before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 6;

/// One message in the log, as coordinators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRecord {
    pub id: Id,
    pub volunteer_id: Option<Id>,
    pub recipient: String,
    pub kind: MessageKind,
    pub status: String,
    pub channel: Option<Channel>,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// Digital Post's transmission id of the letter that delivered it.
    pub transmission_id: Option<String>,
}

/// A coordinator's wording of one message for an election.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTemplate {
    pub id: Id,
    /// `None`: every task type of the election.
    pub task_type_id: Option<Id>,
    pub kind: MessageKind,
    pub channel: Channel,
    pub language: String,
    pub subject: String,
    pub body: String,
    pub updated_at: i64,
}

/// The example values a template's preview is filled with.
pub fn demo_params() -> Params {
    [
        ("name", "Karen Jensen"),
        ("election", "Folketingsvalg 2027"),
        ("task_type", "Tilforordnet vælger"),
        ("station", "Rådhuset"),
        ("address", "Torvet 1, 4200 Korsbæk"),
        ("date", "tirsdag 4. maj 2027"),
        ("start", "07:00"),
        ("end", "22:00"),
        ("payment", "1.000 kr."),
        ("respond_by", "27.4.2027 12:00"),
        (
            "accept_url",
            "https://valg.korsbaek.dk/answer/3f9c0a1b2d4e5f60718293a4b5c6d7e8?choice=yes",
        ),
        (
            "decline_url",
            "https://valg.korsbaek.dk/answer/3f9c0a1b2d4e5f60718293a4b5c6d7e8?choice=no",
        ),
        (
            "answer_url",
            "https://valg.korsbaek.dk/answer/3f9c0a1b2d4e5f60718293a4b5c6d7e8",
        ),
        ("shift_url", "https://valg.korsbaek.dk/volunteers/1"),
        ("shifts_url", "https://valg.korsbaek.dk/volunteers/1"),
        ("message", "Husk madpakke og godt humør."),
        ("municipality", "Korsbæk Kommune"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A device on which a person turned push on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDevice {
    pub id: Id,
    pub name: String,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        [("name", "Karen"), ("station", "Rådhuset")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn placeholders_are_filled_and_strangers_left_alone() {
        assert_eq!(
            render("Hej {name}, mød op på {station} {ukendt} {", &params()),
            "Hej Karen, mød op på Rådhuset {ukendt} {"
        );
    }

    #[test]
    fn unknown_placeholders_are_found_once_each() {
        assert_eq!(
            unknown_placeholders("{name} {navn} {navn} {station} {dato"),
            vec!["navn".to_string()]
        );
        assert!(unknown_placeholders("Hej {name}").is_empty());
    }

    #[test]
    fn a_template_with_an_unknown_placeholder_is_refused() {
        let err = parse_template(Channel::Email, "Hej", "Kom til {stationen}").unwrap_err();
        assert_eq!(
            err,
            AppError::Refused {
                key: "templates.unknown_placeholder.body".into(),
                arg: Some("stationen".into())
            }
        );
        assert!(parse_template(Channel::Sms, "", "Hej {name}").is_ok());
        assert!(parse_template(Channel::Push, "", "Hej {name}").is_err());
    }

    #[test]
    fn digital_post_comes_first_only_for_people_without_push_who_never_chose() {
        let default = Channel::parse_list(Channel::DEFAULT_LIST);
        let reach = Reach {
            email: true,
            digital_post: true,
            digital_post_first: true,
            ..Reach::default()
        };
        assert_eq!(
            Channel::first_reaching(&default, reach),
            Some(Channel::DigitalPost)
        );
        // With a phone that takes push, push stays first.
        let with_push = Reach {
            push: true,
            ..reach
        };
        assert_eq!(
            Channel::first_reaching(&default, with_push),
            Some(Channel::Push)
        );
        // Someone who chose e-mail only keeps it; someone exempt or without
        // a CPR number is not reached by Digital Post at all.
        let email_only = Channel::parse_list("email");
        assert_eq!(
            Channel::first_reaching(&email_only, reach),
            Some(Channel::Email)
        );
        let exempt = Reach {
            digital_post: false,
            ..reach
        };
        assert_eq!(
            Channel::first_reaching(&default, exempt),
            Some(Channel::Email)
        );
        // Without the municipality's choice, the person's order holds.
        let chosen = Channel::parse_list("email,digital_post");
        let plain = Reach {
            digital_post_first: false,
            ..reach
        };
        assert_eq!(
            Channel::first_reaching(&default, plain),
            Some(Channel::Email)
        );
        assert_eq!(plain.order(&chosen), chosen);
    }

    #[test]
    fn channel_lists_round_trip_without_repeats() {
        let list = Channel::parse_list("sms, push,sms,fax");
        assert_eq!(list, vec![Channel::Sms, Channel::Push]);
        assert_eq!(Channel::list_to_string(&list), "sms,push");
    }

    #[test]
    fn the_preview_values_cover_every_placeholder() {
        let demo = demo_params();
        for word in PLACEHOLDERS {
            assert!(demo.contains_key(*word), "{word}");
        }
    }

    #[test]
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(backoff_secs(0), 30);
        assert_eq!(backoff_secs(1), 60);
        assert_eq!(backoff_secs(3), 240);
        assert_eq!(backoff_secs(20), 3600);
    }
}
