use super::Id;
use serde::{Deserialize, Serialize};

/// What a person may do. One person may hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The election secretariat: everything.
    Administrator,
    /// Plans and staffs elections.
    Coordinator,
    StationManager,
    TeamLeader,
    Volunteer,
    /// Sees what a coordinator sees, changes nothing.
    ReadOnly,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Self::Administrator,
        Self::Coordinator,
        Self::StationManager,
        Self::TeamLeader,
        Self::Volunteer,
        Self::ReadOnly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Coordinator => "coordinator",
            Self::StationManager => "station_manager",
            Self::TeamLeader => "team_leader",
            Self::Volunteer => "volunteer",
            Self::ReadOnly => "read_only",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// The signed-in person, as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Id,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// May change the election set-up (elections, stations, seat plans …).
    pub fn can_plan(&self) -> bool {
        self.has(Role::Administrator) || self.has(Role::Coordinator)
    }

    /// May look at the set-up without changing it.
    pub fn can_view_plan(&self) -> bool {
        self.can_plan() || self.has(Role::ReadOnly)
    }
}

/// One of a person's passkeys, as they see it in their account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: Id,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A passkey's name: what the person calls the device ("Min telefon").
pub fn parse_passkey_name(raw: &str) -> Result<String, super::AppError> {
    let name = super::forms::required_text("name", raw)?;
    if name.chars().count() > 60 {
        return Err(super::AppError::invalid("name", "error.too_long"));
    }
    Ok(name)
}

/// A user as administrators see them in the list of users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: Id,
    pub email: String,
    pub name: String,
    pub active: bool,
    pub roles: Vec<Role>,
    pub last_sign_in: Option<i64>,
}
