//! The privacy text newcomers consent to. Administrators publish new
//! versions; a published version never changes, so the version a consent
//! record names always shows the words that person read. Until the first
//! version is published, the text built into the locale files is in force,
//! under the version the configuration names.

use super::forms::required_message;
use super::AppError;
use serde::{Deserialize, Serialize};

/// The longest text a version may have (about ten printed pages).
pub const MAX_TEXT: usize = 20_000;
/// The longest version name.
pub const MAX_VERSION: usize = 32;

/// One version of the privacy text, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyText {
    pub version: String,
    pub text_da: String,
    pub text_en: String,
    /// When an administrator published it; `None` for the built-in text.
    pub published_at: Option<i64>,
    /// Who published it, as the log names them.
    pub published_by: String,
}

impl PrivacyText {
    /// The text in `locale`'s language.
    pub fn text_in(&self, locale: crate::i18n::Locale) -> &str {
        match locale {
            crate::i18n::Locale::Da => &self.text_da,
            crate::i18n::Locale::En => &self.text_en,
        }
    }

    /// Its paragraphs (separated by a blank line), for the page.
    pub fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
        text.split("\n\n").map(str::trim).filter(|p| !p.is_empty())
    }
}

/// A new version as an administrator submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPrivacyText {
    pub version: String,
    pub text_da: String,
    pub text_en: String,
}

impl NewPrivacyText {
    /// Validates a version name (letters, digits, `.`, `-`, `_`; it appears
    /// in links and in every consent record) and both texts.
    pub fn parse(version: &str, text_da: &str, text_en: &str) -> Result<Self, AppError> {
        let version = version.trim();
        if version.is_empty() {
            return Err(AppError::invalid("version", "error.required"));
        }
        if version.chars().count() > MAX_VERSION {
            return Err(AppError::invalid("version", "error.too_long"));
        }
        if !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(AppError::invalid("version", "privacy.version_chars"));
        }
        Ok(NewPrivacyText {
            version: version.to_string(),
            text_da: required_message("text_da", text_da, MAX_TEXT)?,
            text_en: required_message("text_en", text_en, MAX_TEXT)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_a_short_plain_name_and_both_texts_are_required() {
        let ok = NewPrivacyText::parse(" 2027-1 ", "Tekst\r\n\r\nMere", "Text").unwrap();
        assert_eq!(ok.version, "2027-1");
        assert_eq!(ok.text_da, "Tekst\n\nMere");
        for (version, error) in [
            ("", AppError::invalid("version", "error.required")),
            (
                "2027 1",
                AppError::invalid("version", "privacy.version_chars"),
            ),
            ("a/b", AppError::invalid("version", "privacy.version_chars")),
            (
                &"x".repeat(33),
                AppError::invalid("version", "error.too_long"),
            ),
        ] {
            assert_eq!(NewPrivacyText::parse(version, "T", "T"), Err(error));
        }
        assert_eq!(
            NewPrivacyText::parse("1", "  ", "T"),
            Err(AppError::invalid("text_da", "error.required"))
        );
        assert_eq!(
            NewPrivacyText::parse("1", "T", "a\u{7}b"),
            Err(AppError::invalid("text_en", "error.control_characters"))
        );
        assert!(NewPrivacyText::parse("1", &"x".repeat(MAX_TEXT + 1), "T").is_err());
    }

    #[test]
    fn paragraphs_are_split_on_blank_lines() {
        let text = "En\n\n\n\nTo\nstadig to\n\n";
        assert_eq!(
            PrivacyText::paragraphs(text).collect::<Vec<_>>(),
            vec!["En", "To\nstadig to"]
        );
    }
}
