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

/// What a scope limits a role to: a coordinator to areas, a station manager
/// to stations, a team leader to teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Area,
    Station,
    Team,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 3] = [Self::Area, Self::Station, Self::Team];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Area => "area",
            Self::Station => "station",
            Self::Team => "team",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The role this kind of scope belongs to.
    pub fn role(self) -> Role {
        match self {
            Self::Area => Role::Coordinator,
            Self::Station => Role::StationManager,
            Self::Team => Role::TeamLeader,
        }
    }
}

/// One area, station or team a user's role is limited to, with its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeGrant {
    pub kind: ScopeKind,
    pub id: Id,
    pub name: String,
}

/// The signed-in person, as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Id,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// The volunteer record this user signs in for, if any.
    pub volunteer_id: Option<Id>,
    /// The areas a coordinator is limited to; empty means all of them.
    pub areas: Vec<Id>,
    /// The stations a station manager sees.
    pub stations: Vec<Id>,
    /// The teams a team leader leads.
    pub teams: Vec<Id>,
    /// When this session began (unix seconds): sensitive changes want a
    /// recent sign-in, not a borrowed session.
    pub signed_in_at: i64,
    /// When this session ends unless it is used again (unix seconds).
    pub session_until: i64,
    /// Invitations to the person's volunteer record not answered yet (the
    /// tab bar's badge on every phone page), read with the session.
    pub waiting_invitations: i64,
}

/// How recent a sign-in must be to change the account's email address or
/// add a passkey.
pub const FRESH_SIGN_IN_SECS: i64 = 10 * 60;

impl CurrentUser {
    /// Signed in within [`FRESH_SIGN_IN_SECS`] of `now`.
    pub fn signed_in_recently(&self, now: i64) -> bool {
        now - self.signed_in_at <= FRESH_SIGN_IN_SECS
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// May change what belongs to the whole municipality: elections, areas,
    /// task types, teams. A coordinator limited to areas may not.
    pub fn can_plan(&self) -> bool {
        self.has(Role::Administrator) || (self.has(Role::Coordinator) && self.areas.is_empty())
    }

    /// May change the stations and seat plans of one area.
    pub fn can_plan_area(&self, area_id: Id) -> bool {
        self.has(Role::Administrator)
            || (self.has(Role::Coordinator)
                && (self.areas.is_empty() || self.areas.contains(&area_id)))
    }

    /// The areas an area-limited coordinator's lists, exports and messages
    /// stay inside; `None` for those who see the whole municipality
    /// (administrators, auditors, coordinators without areas).
    pub fn area_limit(&self) -> Option<&[Id]> {
        if self.has(Role::Administrator) || self.has(Role::ReadOnly) || self.can_plan() {
            None
        } else {
            Some(&self.areas)
        }
    }

    /// May change something somewhere (a coordinator of any reach).
    pub fn can_plan_somewhere(&self) -> bool {
        self.has(Role::Administrator) || self.has(Role::Coordinator)
    }

    /// May look at the set-up without changing it.
    pub fn can_view_plan(&self) -> bool {
        self.can_plan_somewhere() || self.has(Role::ReadOnly)
    }

    /// Sees a station's roster with contact details: the office, auditors,
    /// coordinators of its area, and the station's own managers.
    pub fn can_view_roster(&self, station_id: Id, area_id: Id) -> bool {
        self.has(Role::Administrator)
            || self.has(Role::ReadOnly)
            || self.can_plan_area(area_id)
            || self.manages_station(station_id)
    }

    pub fn manages_station(&self, station_id: Id) -> bool {
        self.has(Role::StationManager) && self.stations.contains(&station_id)
    }

    pub fn leads_team(&self, team_id: Id) -> bool {
        self.has(Role::TeamLeader) && self.teams.contains(&team_id)
    }

    /// Sees a team's members and their shifts.
    pub fn can_view_team(&self, team_id: Id) -> bool {
        self.can_view_plan() || self.leads_team(team_id)
    }

    /// Adds and removes a team's members.
    pub fn can_manage_team(&self, team_id: Id) -> bool {
        self.can_plan() || self.leads_team(team_id)
    }

    /// Sees everyone's phone and email: the office (administrators,
    /// auditors, coordinators of the whole municipality). Coordinators of some
    /// areas see contact data through their areas' rosters only.
    pub fn sees_all_contacts(&self) -> bool {
        self.can_plan() || self.has(Role::ReadOnly)
    }

    /// Sees a volunteer's record: the office and the volunteer themself.
    pub fn can_view_volunteer(&self, volunteer_id: Id) -> bool {
        self.sees_all_contacts() || self.volunteer_id == Some(volunteer_id)
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
    pub scopes: Vec<ScopeGrant>,
    pub last_sign_in: Option<i64>,
}

/// A one-time sign-in code by SMS: how many digits, how long it works and
/// how many wrong tries end it.
pub const CODE_DIGITS: usize = 6;
pub const CODE_MINUTES: i64 = 10;
pub const CODE_TRIES: i64 = 5;

/// A code as a person typed it: six digits (spaces allowed, as phones
/// sometimes paste "123 456").
pub fn parse_sign_in_code(raw: &str) -> Result<String, super::AppError> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Err(super::AppError::invalid("code", "error.required"));
    }
    if digits.len() != CODE_DIGITS || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(super::AppError::invalid("code", "auth.code_format"));
    }
    Ok(digits)
}

/// A six-digit code from 32 random bits (the bias of the modulo is below
/// one in a thousand).
pub fn code_from(random: u32) -> String {
    format!("{:06}", random % 1_000_000)
}

/// What trying a sign-in code came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right: the code is used up and this account signs in.
    SignedIn(Id),
    /// Wrong; the code still works for this many more tries (0: it is dead).
    Wrong { tries_left: i64 },
    /// No live code for the number (never asked, expired, used or dead).
    NoCode,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(code_from(7), "000007");
        assert_eq!(code_from(u32::MAX).len(), 6);
        assert_eq!(parse_sign_in_code(" 123 456 ").unwrap(), "123456");
        assert!(parse_sign_in_code("12345").is_err());
        assert!(parse_sign_in_code("12345a").is_err());
        assert_eq!(
            parse_sign_in_code(""),
            Err(super::super::AppError::invalid("code", "error.required"))
        );
    }

    fn user(roles: &[Role]) -> CurrentUser {
        CurrentUser {
            id: 1,
            email: "a@example.dk".into(),
            name: "A".into(),
            roles: roles.to_vec(),
            volunteer_id: None,
            areas: vec![],
            stations: vec![],
            teams: vec![],
            signed_in_at: 1_000,
            session_until: 2_000,
            waiting_invitations: 0,
        }
    }

    #[test]
    fn a_sign_in_is_fresh_for_ten_minutes() {
        let u = user(&[Role::Volunteer]);
        assert!(u.signed_in_recently(1_000));
        assert!(u.signed_in_recently(1_000 + FRESH_SIGN_IN_SECS));
        assert!(!u.signed_in_recently(1_000 + FRESH_SIGN_IN_SECS + 1));
    }

    #[test]
    fn a_coordinator_without_areas_plans_everything() {
        let c = user(&[Role::Coordinator]);
        assert!(c.can_plan());
        assert!(c.can_plan_area(7));
    }

    #[test]
    fn a_coordinator_limited_to_areas_plans_only_those() {
        let mut c = user(&[Role::Coordinator]);
        c.areas = vec![1];
        assert!(!c.can_plan(), "municipality-wide set-up is not theirs");
        assert!(c.can_plan_area(1));
        assert!(!c.can_plan_area(2));
        assert!(c.can_view_roster(10, 1));
        assert!(!c.can_view_roster(11, 2));
        assert!(!c.sees_all_contacts(), "only through their areas' rosters");
        assert!(!c.can_view_volunteer(5));
    }

    #[test]
    fn scopes_without_the_role_grant_nothing() {
        let mut v = user(&[Role::Volunteer]);
        v.stations = vec![3];
        v.teams = vec![4];
        v.areas = vec![5];
        assert!(!v.manages_station(3));
        assert!(!v.leads_team(4));
        assert!(!v.can_plan_area(5));
    }

    #[test]
    fn station_managers_and_team_leaders_see_only_their_own() {
        let mut m = user(&[Role::StationManager, Role::TeamLeader]);
        m.stations = vec![3];
        m.teams = vec![4];
        assert!(m.can_view_roster(3, 1));
        assert!(!m.can_view_roster(8, 1));
        assert!(m.can_view_team(4) && m.can_manage_team(4));
        assert!(!m.can_view_team(9));
        assert!(!m.can_view_plan());
    }

    #[test]
    fn volunteers_see_only_themselves() {
        let mut v = user(&[Role::Volunteer]);
        v.volunteer_id = Some(12);
        assert!(v.can_view_volunteer(12));
        assert!(!v.can_view_volunteer(13));
        assert!(user(&[Role::ReadOnly]).can_view_volunteer(13));
    }
}
