use super::Id;
use serde::{Deserialize, Serialize};

/// What the audit log records. The names are stable (stored in the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignOutEverywhere,
    PasskeyAdded,
    PasskeyRemoved,
    UserInvited,
    RoleGranted,
    RoleRevoked,
    UserDeactivated,
    UserActivated,
    ScopeGranted,
    ScopeRevoked,
    /// Someone opened a list with people's phone numbers and emails.
    ContactViewed,
    TeamMemberRemoved,
    /// A newcomer created their own account from a sign-up link.
    Registered,
    /// A volunteer deleted their own account.
    AccountDeleted,
    /// The office marked a volunteer's declaration as checked, or not.
    DeclarationVerified,
    /// Someone's email address changed, confirmed from the new address.
    EmailChanged,
    /// A participant list left the system as a file.
    ListExported,
    /// The office imported volunteers from a file.
    VolunteersImported,
    /// Someone answered an offered seat through their personal answer link
    /// (or tried a dead link).
    OfferAnswered,
    /// The office entered a person.
    VolunteerCreated,
    /// The office corrected a person's record (before and after in the detail).
    VolunteerEdited,
    /// The office merged a duplicate record into another.
    VolunteersMerged,
    /// The office set a person aside (no sign-in, no seats).
    VolunteerDeactivated,
    /// The office took a deactivated person back.
    VolunteerActivated,
    /// The office deleted a person (erased, or anonymised for payroll).
    VolunteerDeleted,
    /// The retention policy removed what it no longer allows to keep.
    RetentionRun,
    /// An administrator published a new version of the privacy text.
    PrivacyPublished,
    /// The office stored or replaced a person's CPR number.
    CprStored,
    /// The office removed a person's CPR number.
    CprRemoved,
    /// Someone was shown a person's whole CPR number.
    CprViewed,
    /// A person was looked up in the CPR register.
    CprLookedUp,
}

impl AuditAction {
    pub const ALL: [AuditAction; 33] = [
        Self::SignIn,
        Self::SignInFailed,
        Self::SignOutEverywhere,
        Self::PasskeyAdded,
        Self::PasskeyRemoved,
        Self::UserInvited,
        Self::RoleGranted,
        Self::RoleRevoked,
        Self::UserDeactivated,
        Self::UserActivated,
        Self::ScopeGranted,
        Self::ScopeRevoked,
        Self::ContactViewed,
        Self::TeamMemberRemoved,
        Self::Registered,
        Self::AccountDeleted,
        Self::DeclarationVerified,
        Self::EmailChanged,
        Self::ListExported,
        Self::VolunteersImported,
        Self::OfferAnswered,
        Self::VolunteerCreated,
        Self::VolunteerEdited,
        Self::VolunteersMerged,
        Self::VolunteerDeactivated,
        Self::VolunteerActivated,
        Self::VolunteerDeleted,
        Self::RetentionRun,
        Self::PrivacyPublished,
        Self::CprStored,
        Self::CprRemoved,
        Self::CprViewed,
        Self::CprLookedUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignOutEverywhere => "sign_out_everywhere",
            Self::PasskeyAdded => "passkey_added",
            Self::PasskeyRemoved => "passkey_removed",
            Self::UserInvited => "user_invited",
            Self::RoleGranted => "role_granted",
            Self::RoleRevoked => "role_revoked",
            Self::UserDeactivated => "user_deactivated",
            Self::UserActivated => "user_activated",
            Self::ScopeGranted => "scope_granted",
            Self::ScopeRevoked => "scope_revoked",
            Self::ContactViewed => "contact_viewed",
            Self::TeamMemberRemoved => "team_member_removed",
            Self::Registered => "registered",
            Self::AccountDeleted => "account_deleted",
            Self::DeclarationVerified => "declaration_verified",
            Self::EmailChanged => "email_changed",
            Self::ListExported => "list_exported",
            Self::VolunteersImported => "volunteers_imported",
            Self::OfferAnswered => "offer_answered",
            Self::VolunteerCreated => "volunteer_created",
            Self::VolunteerEdited => "volunteer_edited",
            Self::VolunteersMerged => "volunteers_merged",
            Self::VolunteerDeactivated => "volunteer_deactivated",
            Self::VolunteerActivated => "volunteer_activated",
            Self::VolunteerDeleted => "volunteer_deleted",
            Self::RetentionRun => "retention_run",
            Self::PrivacyPublished => "privacy_published",
            Self::CprStored => "cpr_stored",
            Self::CprRemoved => "cpr_removed",
            Self::CprViewed => "cpr_viewed",
            Self::CprLookedUp => "cpr_looked_up",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// One line of the audit log, to be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub actor_user_id: Option<Id>,
    /// Who, as people read it (an email address), even after the user is gone.
    pub actor: String,
    pub action: AuditAction,
    /// What it was about, e.g. the sign-in method or a passkey's name.
    pub subject: String,
    pub detail: String,
    pub ip: String,
}

/// One line of the audit log, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: Id,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub ip: String,
}

/// How many lines one page of the log shows.
pub const AUDIT_PAGE: i64 = 200;

/// How the log names someone whose account was deleted: the record of what
/// happened stays, who it was does not.
pub fn person_alias(volunteer_id: Id) -> String {
    format!("person #{volunteer_id}")
}
