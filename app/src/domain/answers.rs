//! Personal answer links: a message that offers a seat to one person carries
//! a link with which that person answers in one tap, without signing in.
//! The link is bound to that very offer (an invitation, or a call for cover)
//! and dies when the offer does.

use super::Id;
use serde::{Deserialize, Serialize};

/// What a link answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// An invitation to the seat (a standby offer is one too).
    Invitation,
    /// A call for cover: the first of several to say yes gets the seat.
    Cover,
}

impl AnswerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Cover => "cover",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Invitation, Self::Cover]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

/// A live answer link: the person it is for, the seat, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerLink {
    pub volunteer_id: Id,
    pub seat_id: Id,
    pub kind: AnswerKind,
    pub expires_at: i64,
}

/// The answer a person gives through a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    Yes,
    No,
}

impl Answer {
    /// "accept" / "decline", as the forms and the service worker send them.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "accept" => Some(Self::Yes),
            "decline" => Some(Self::No),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "accept",
            Self::No => "decline",
        }
    }
}

/// Tokens are 32 hex digits (128 random bits): short enough for an SMS,
/// far too many to guess.
pub fn plausible_token(raw: &str) -> bool {
    raw.len() == 32 && raw.bytes().all(|b| b.is_ascii_hexdigit())
}

/// How many SMS segments a text takes: 160 (153 when split) characters of
/// the GSM 7-bit alphabet, or 70 (67) when any character is outside it.
pub fn sms_segments(text: &str) -> usize {
    const GSM: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                       ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    // These take two septets (an escape first).
    const GSM_EXTENDED: &str = "^{}\\[~]|€\u{c}";
    let mut septets: usize = 0;
    for c in text.chars() {
        if GSM.contains(c) {
            septets += 1;
        } else if GSM_EXTENDED.contains(c) {
            septets += 2;
        } else {
            let units = text.encode_utf16().count();
            return if units <= 70 { 1 } else { units.div_ceil(67) };
        }
    }
    if septets <= 160 {
        1
    } else {
        septets.div_ceil(153)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_hex_digits() {
        assert!(plausible_token(&"ab12".repeat(8)));
        assert!(!plausible_token("ab12"));
        assert!(!plausible_token(&"zz12".repeat(8)));
    }

    #[test]
    fn danish_letters_fit_gsm_but_a_dash_does_not() {
        assert_eq!(sms_segments(&"æøå".repeat(53)), 1);
        assert_eq!(sms_segments(&"a".repeat(161)), 2);
        assert_eq!(sms_segments(&"a".repeat(306)), 2);
        assert_eq!(sms_segments(&"a".repeat(307)), 3);
        assert_eq!(sms_segments("kl. 8–20"), 1);
        assert_eq!(sms_segments(&format!("{}–", "a".repeat(70))), 2);
        assert_eq!(sms_segments(&"€".repeat(80)), 1);
        assert_eq!(sms_segments(&"€".repeat(81)), 2);
    }

    #[test]
    fn answers_are_accept_or_decline() {
        assert_eq!(Answer::parse("accept"), Some(Answer::Yes));
        assert_eq!(Answer::parse(" decline "), Some(Answer::No));
        assert_eq!(Answer::parse("maybe"), None);
        assert_eq!(AnswerKind::parse("cover"), Some(AnswerKind::Cover));
    }
}
