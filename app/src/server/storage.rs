//! The storage contract. Server functions see only these traits (through
//! [`super::ServerContext`]); the `server` crate implements them for SQLite,
//! and a PostgreSQL backend can implement them beside it without any change
//! to the pages or server functions.

use crate::domain::accounts::{CodeCheck, CurrentUser, PasskeyInfo, Role, ScopeKind, UserSummary};
use crate::domain::audit::{AuditAction, AuditEntry, AuditRecord};
use crate::domain::board::BoardCount;
use crate::domain::cover::CoverCall;
use crate::domain::elections::{
    Election, ElectionCopy, ElectionType, NewElection, NewElectionType,
};
use crate::domain::error::AppResult;
use crate::domain::notifications::{
    Channel, MessageKind, MessageRecord, Params, PushDevice, StoredTemplate, Template,
};
use crate::domain::rosters::{PersonShift, RosterLine, TeamMember};
use crate::domain::seats::{
    OwnShifts, SeatCell, SeatCountsChange, SeatDetails, SeatStatus, StationSeats,
};
use crate::domain::signup::{CellChoice, NewSignupLink, OpenCell, SignupLink, StandbyPlace};
use crate::domain::stations::{Area, NewArea, NewStation, Station};
use crate::domain::tasks::{NewTaskType, TaskType};
use crate::domain::teams::{NewTeam, Team};
use crate::domain::volunteers::{Diet, NewVolunteer, ProfileChange, SeatEvent, Volunteer};
use crate::domain::Id;
use async_trait::async_trait;
use chrono::NaiveDate;

#[async_trait]
pub trait ElectionStore: Send + Sync {
    async fn list_election_types(&self) -> AppResult<Vec<ElectionType>>;
    async fn get_election_type(&self, id: Id) -> AppResult<ElectionType>;
    async fn create_election_type(&self, new: &NewElectionType) -> AppResult<Id>;
    async fn update_election_type(&self, id: Id, new: &NewElectionType) -> AppResult<()>;
    /// Refused while any election uses the type.
    async fn delete_election_type(&self, id: Id) -> AppResult<()>;

    async fn list_elections(&self) -> AppResult<Vec<Election>>;
    async fn get_election(&self, id: Id) -> AppResult<Election>;
    async fn create_election(&self, new: &NewElection) -> AppResult<Id>;
    /// Refused when it would drop seats that hold people (a station taken
    /// out, or days cut off); open seats there are deleted.
    async fn update_election(&self, id: Id, new: &NewElection) -> AppResult<()>;
    async fn set_election_active(&self, id: Id, active: bool) -> AppResult<()>;
    /// Refused while the election is active.
    async fn delete_election(&self, id: Id) -> AppResult<()>;
    /// Copies stations, seat plan and settings to a new, inactive election.
    async fn copy_election(&self, copy: &ElectionCopy) -> AppResult<Id>;
}

#[async_trait]
pub trait StationStore: Send + Sync {
    async fn list_areas(&self) -> AppResult<Vec<Area>>;
    async fn get_area(&self, id: Id) -> AppResult<Area>;
    async fn create_area(&self, new: &NewArea) -> AppResult<Id>;
    async fn update_area(&self, id: Id, new: &NewArea) -> AppResult<()>;
    /// Refused while the area has stations.
    async fn delete_area(&self, id: Id) -> AppResult<()>;

    async fn list_stations(&self) -> AppResult<Vec<Station>>;
    async fn get_station(&self, id: Id) -> AppResult<Station>;
    async fn create_station(&self, new: &NewStation) -> AppResult<Id>;
    async fn update_station(&self, id: Id, new: &NewStation) -> AppResult<()>;
    /// Refused while the station belongs to an active election or has seats
    /// that hold people.
    async fn delete_station(&self, id: Id) -> AppResult<()>;
}

#[async_trait]
pub trait TaskStore: Send + Sync {
    async fn list_task_types(&self) -> AppResult<Vec<TaskType>>;
    async fn get_task_type(&self, id: Id) -> AppResult<TaskType>;
    async fn create_task_type(&self, new: &NewTaskType) -> AppResult<Id>;
    /// Refused when new times would make a person's shifts overlap.
    async fn update_task_type(&self, id: Id, new: &NewTaskType) -> AppResult<()>;
    /// Refused while seats of this type hold people; open seats are deleted.
    async fn delete_task_type(&self, id: Id) -> AppResult<()>;
}

#[async_trait]
pub trait TeamStore: Send + Sync {
    async fn list_teams(&self) -> AppResult<Vec<Team>>;
    async fn get_team(&self, id: Id) -> AppResult<Team>;
    async fn create_team(&self, new: &NewTeam) -> AppResult<Id>;
    async fn update_team(&self, id: Id, new: &NewTeam) -> AppResult<()>;
    /// Refused while seats of this team hold people.
    async fn delete_team(&self, id: Id) -> AppResult<()>;
    async fn add_team_member(
        &self,
        team_id: Id,
        volunteer_id: Id,
        share_contact: bool,
    ) -> AppResult<()>;
    /// A team's members by name, each with the seats they hold for the team
    /// from `from` on.
    async fn team_members(&self, team_id: Id, from: NaiveDate) -> AppResult<Vec<TeamMember>>;
    /// Takes a person off a team and frees the team's seats they hold from
    /// `today` on, writing `messages` (telling them) in the same transaction. Refused while they have an accepted seat for the team
    /// inside its election's lock period.
    async fn remove_team_member(
        &self,
        team_id: Id,
        volunteer_id: Id,
        today: NaiveDate,
        now: i64,
        messages: &[NewMessage],
    ) -> AppResult<()>;
    /// The (id, name) of the teams a person is a member of.
    async fn volunteer_teams(&self, volunteer_id: Id) -> AppResult<Vec<(Id, String)>>;
    /// A team's seats in active elections from `from` on, one cell per
    /// election, station, day and task, by election, station and day.
    async fn team_seat_cells(
        &self,
        team_id: Id,
        from: NaiveDate,
    ) -> AppResult<Vec<crate::domain::teams::TeamSeatCell>>;
}

#[async_trait]
pub trait VolunteerStore: Send + Sync {
    async fn list_diets(&self) -> AppResult<Vec<Diet>>;
    async fn get_diet(&self, id: Id) -> AppResult<Diet>;
    async fn create_diet(&self, name: &str) -> AppResult<Id>;
    async fn update_diet(&self, id: Id, name: &str) -> AppResult<()>;
    async fn delete_diet(&self, id: Id) -> AppResult<()>;

    async fn create_volunteer(&self, new: &NewVolunteer) -> AppResult<Id>;
    async fn get_volunteer(&self, id: Id) -> AppResult<Volunteer>;
    /// The office corrects a person's record on their behalf (consent stays
    /// as given); their account's address and name follow. Refused when the
    /// address belongs to someone else.
    async fn update_volunteer(&self, id: Id, new: &NewVolunteer) -> AppResult<()>;
    /// The account a volunteer signs in with, if they have one.
    async fn volunteer_user(&self, volunteer_id: Id) -> AppResult<Option<Id>>;
    async fn add_volunteer_note(
        &self,
        volunteer_id: Id,
        author_user_id: Id,
        author: &str,
        text: &str,
        now: i64,
    ) -> AppResult<Id>;
    /// What merging `duplicate` into `kept` would move.
    async fn merge_counts(&self, duplicate: Id) -> AppResult<crate::domain::merge::MergeCounts>;
    /// The roles of the account a volunteer signs in with (empty: none).
    async fn volunteer_roles(&self, volunteer_id: Id) -> AppResult<Vec<Role>>;
    /// Moves everything of `duplicate` to `kept` and deletes `duplicate`, in
    /// one transaction. Refused (`merge.overlap`) when the two hold seats
    /// at the same time, and (`merge.staff_account`) when the duplicate's
    /// account has other roles than volunteer; when both have accounts the
    /// duplicate's is closed.
    async fn merge_volunteers(&self, kept: Id, duplicate: Id) -> AppResult<()>;
    /// The office's notes about a person, newest first.
    async fn volunteer_notes(
        &self,
        volunteer_id: Id,
    ) -> AppResult<Vec<crate::domain::volunteers::Note>>;
    async fn find_volunteer_by_email(&self, email: &str) -> AppResult<Option<Id>>;
    /// The person's own changes to their contact details, diets, language,
    /// channels and which teams' leaders may see their phone and email.
    async fn update_profile(&self, volunteer_id: Id, change: &ProfileChange) -> AppResult<()>;
    async fn volunteer_channels(&self, volunteer_id: Id) -> AppResult<Vec<Channel>>;
    /// The channels of each of these people (unknown ids are left out): one
    /// query for a whole group instead of one per person.
    async fn channels_of(
        &self,
        volunteer_ids: &[Id],
    ) -> AppResult<std::collections::HashMap<Id, Vec<Channel>>>;
    /// The seat history kept about the person, oldest first.
    async fn volunteer_history(&self, volunteer_id: Id) -> AppResult<Vec<SeatEvent>>;
    /// (team id, name, shares contact with its leaders), by name.
    async fn volunteer_team_sharing(&self, volunteer_id: Id) -> AppResult<Vec<(Id, String, bool)>>;
    /// A new secret for the person's calendar feed (only its hash is kept);
    /// the old one stops working.
    async fn set_calendar_token(
        &self,
        volunteer_id: Id,
        token_hash: &str,
        now: i64,
    ) -> AppResult<()>;
    async fn delete_calendar_token(&self, volunteer_id: Id) -> AppResult<()>;
    async fn has_calendar_feed(&self, volunteer_id: Id) -> AppResult<bool>;
    async fn volunteer_by_calendar_token(&self, token_hash: &str) -> AppResult<Option<Id>>;
    /// Stores many volunteers (and puts them on `team_id`) all or nothing.
    async fn import_volunteers(
        &self,
        volunteers: &[NewVolunteer],
        team_id: Option<Id>,
        now: i64,
    ) -> AppResult<Vec<Id>>;
    async fn count_volunteers(&self) -> AppResult<i64>;
    /// A page of the participant register: the people `scope` lets the
    /// viewer see that match `filter`, and how many match in all.
    async fn search_register(
        &self,
        filter: &crate::domain::register::RegisterFilter,
        scope: &crate::domain::register::RegisterScope,
    ) -> AppResult<crate::domain::register::RegisterPage>;
    /// The office checked (or un-checked) the volunteer's declaration.
    async fn set_volunteer_verified(&self, volunteer_id: Id, verified: bool) -> AppResult<()>;
    /// Deletes a volunteer's account at their own request: refused while an
    /// accepted shift is inside its lock period; frees every seat they hold
    /// from `today` on (offering each to its standby queue) and writes
    /// `messages` with it. Someone with past accepted (paid) shifts is
    /// anonymised so the payroll record stays; anyone else is erased.
    /// The office (`by`) may delete someone inside a lock period. True when
    /// anonymised.
    async fn delete_volunteer_account(
        &self,
        volunteer_id: Id,
        today: NaiveDate,
        now: i64,
        messages: &[NewMessage],
        by: crate::domain::removals::DeletionBy,
    ) -> AppResult<bool>;
    /// Sets a person aside, or takes them back. Deactivating frees every
    /// seat they hold from `today` on (offering each to its standby queue),
    /// takes them out of standby queues and ends the sessions of an account
    /// that is only theirs; the record, teams and history stay. Refused when
    /// they already are (or are not) deactivated.
    async fn set_volunteer_deactivated(
        &self,
        volunteer_id: Id,
        deactivated: bool,
        today: NaiveDate,
        now: i64,
        messages: &[NewMessage],
    ) -> AppResult<()>;
    /// When the person was deactivated, if they are.
    async fn volunteer_deactivated_at(&self, volunteer_id: Id) -> AppResult<Option<i64>>;
}

#[async_trait]
pub trait SeatStore: Send + Sync {
    /// Every non-empty cell of a station's matrix on one day.
    async fn seat_plan(
        &self,
        election_id: Id,
        station_id: Id,
        day: NaiveDate,
    ) -> AppResult<Vec<SeatCell>>;
    /// The days on which a station has seats in an election, in order.
    async fn seat_days(&self, election_id: Id, station_id: Id) -> AppResult<Vec<NaiveDate>>;
    /// Seat totals per station of an election, all days together.
    async fn station_seats(&self, election_id: Id) -> AppResult<Vec<StationSeats>>;
    /// Sets the counts of several cells at once, all or nothing.
    async fn set_seat_counts(&self, change: &SeatCountsChange) -> AppResult<()>;
    /// Ids of the open seats in a cell, oldest first.
    async fn open_seats(
        &self,
        election_id: Id,
        station_id: Id,
        day: NaiveDate,
        team_id: Id,
        task_type_id: Id,
    ) -> AppResult<Vec<Id>>;
    /// Puts a person on an open seat as invited or accepted, and writes
    /// `message` to the outbox in the same transaction. Refused when the seat
    /// is taken or the person has an overlapping shift in any election.
    async fn fill_seat(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        status: SeatStatus,
        respond_by: Option<i64>,
        now: i64,
        message: Option<&NewMessage>,
    ) -> AppResult<()>;
    /// [`SeatStore::fill_seat`] for several seats at once, all or none: the
    /// first refusal leaves every seat as it was.
    async fn fill_seats(&self, fills: &[SeatFill], now: i64) -> AppResult<()>;
    async fn seat_details(&self, seat_id: Id) -> AppResult<SeatDetails>;
    /// The invited person accepts (the seat is theirs) or declines (it opens
    /// again, and the history keeps the reason). Refused when the seat is not
    /// an open invitation to them, or its answer deadline has passed.
    async fn answer_invitation(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        accept: bool,
        reason: &str,
        now: i64,
        message: Option<&NewMessage>,
    ) -> AppResult<()>;
    /// Every seat of a station in an election, by day, start and task, with
    /// the people on them.
    async fn station_roster(&self, election_id: Id, station_id: Id) -> AppResult<Vec<RosterLine>>;
    /// The seats a person holds in any election, by day, in full.
    async fn volunteer_seats(&self, volunteer_id: Id) -> AppResult<Vec<SeatDetails>>;
    /// Everything *Mine vagter* shows of the person, read on one database
    /// connection (see [`OwnShifts`]).
    async fn own_shifts(&self, volunteer_id: Id, now: i64) -> AppResult<OwnShifts>;
    /// The person gives up an accepted seat; refused inside the lock period.
    async fn cancel_shift(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        today: NaiveDate,
        now: i64,
        message: Option<&NewMessage>,
    ) -> AppResult<()>;
    /// The seats a person holds in any election, by day.
    async fn volunteer_shifts(&self, volunteer_id: Id) -> AppResult<Vec<PersonShift>>;
    /// Marks whether the person on an accepted seat turned up (`None`
    /// clears it). Refused for a seat nobody has accepted.
    async fn set_attendance(
        &self,
        seat_id: Id,
        attendance: Option<crate::domain::seats::Attendance>,
        now: i64,
    ) -> AppResult<()>;
    /// Gives an open seat to another team (its standby queue, if any, is
    /// offered it at once). Refused when the seat is held.
    async fn move_open_seat(&self, seat_id: Id, team_id: Id, now: i64) -> AppResult<()>;
    /// Takes the person off a held seat (the office's decision), keeping the
    /// reason in its history, and writes `messages`. With `replacement`
    /// (volunteer, answer deadline) the seat goes straight to them as an
    /// invitation; otherwise it is offered to its standby queue.
    /// Takes `holder` off the seat; refused if someone else holds it by now
    /// (the messages are about `holder`).
    async fn remove_from_seat(
        &self,
        seat_id: Id,
        holder: Id,
        reason: &str,
        replacement: Option<(Id, i64)>,
        now: i64,
        messages: &[NewMessage],
    ) -> AppResult<()>;
    /// The people on seats that `filter` covers, by station, day and time.
    async fn participants(
        &self,
        filter: &crate::domain::lists::ListFilter,
    ) -> AppResult<Vec<crate::domain::lists::Participant>>;
    /// People who might take an open seat, best first (its standby queue,
    /// its team, nearest postal code): not anonymised, not on the seat's
    /// cell already, and not having declined this seat; at most `limit`.
    async fn candidate_pool(
        &self,
        seat_id: Id,
        limit: i64,
    ) -> AppResult<Vec<crate::domain::candidates::PoolEntry>>;
}

/// How often a session's `last_seen_at` is written while it is in use. The
/// idle timeout is counted from that time, so it is exact to within this.
pub const SESSION_TOUCH_SECS: i64 = 60;

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Finds the user with this email or creates them, and grants `role`.
    async fn ensure_user_with_role(&self, email: &str, name: &str, role: Role) -> AppResult<Id>;
    async fn store_sign_in_token(
        &self,
        user_id: Id,
        token_hash: &str,
        expires_at: i64,
    ) -> AppResult<()>;
    /// The active user with this email: (id, name).
    async fn find_active_user(&self, email: &str) -> AppResult<Option<(Id, String)>>;
    /// The active account that signs in with this email: (id, name). A
    /// user's, else that of the volunteer on record with the address, whose
    /// account (volunteer role) is made now if they have none yet, so that
    /// people imported or entered by the office sign in like everyone else.
    async fn sign_in_account(&self, email: &str) -> AppResult<Option<(Id, String)>>;
    /// The active account of the one volunteer on record with this phone
    /// number (made now if need be, as [`Self::sign_in_account`]); `None`
    /// when nobody, or more than one person, has the number.
    async fn sign_in_account_by_phone(&self, phone: &str) -> AppResult<Option<(Id, String)>>;
    /// Keeps a sign-in code for `phone` (its hash); the number's older codes
    /// stop working.
    async fn store_sign_in_code(
        &self,
        phone: &str,
        user_id: Id,
        code_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> AppResult<()>;
    /// Tries a code against the newest live code of `phone`: a right one is
    /// used up, a wrong one counts, and `max_tries` wrong ones end the code.
    async fn try_sign_in_code(
        &self,
        phone: &str,
        code_hash: &str,
        now: i64,
        max_tries: i64,
    ) -> AppResult<CodeCheck>;
    /// Counts an attempt in `bucket` and says whether it is allowed: at most
    /// `max` attempts within `window_secs` before `now`.
    async fn allow_attempt(
        &self,
        bucket: &str,
        now: i64,
        window_secs: i64,
        max: i64,
    ) -> AppResult<bool>;
    /// Marks the token used and returns its user, if it is unused, unexpired
    /// and the user is active. A token works once.
    async fn consume_sign_in_token(&self, token_hash: &str, now: i64) -> AppResult<Option<Id>>;
    /// Whether a sign-in token is still usable, without using it.
    async fn peek_sign_in_token(&self, token_hash: &str, now: i64) -> AppResult<Option<String>>;
    async fn create_session(
        &self,
        session_hash: &str,
        user_id: Id,
        now: i64,
        expires_at: i64,
    ) -> AppResult<()>;
    /// The session's user if it is neither idle too long nor expired; also
    /// records that it was used now, at most once every
    /// `SESSION_TOUCH_SECS` (a page view is a read, not a write).
    async fn session_user(
        &self,
        session_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> AppResult<Option<CurrentUser>>;
    /// Whose a live session is and when it ends at the latest if unused
    /// (idle or absolute expiry, whichever is first); a read only.
    async fn session_ends(
        &self,
        session_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> AppResult<Option<(Id, i64)>>;
    async fn delete_session(&self, session_hash: &str) -> AppResult<()>;
    /// Users whose name or email contains `text`, by name.
    async fn list_users(&self, text: &str) -> AppResult<Vec<UserSummary>>;
    async fn grant_role(&self, user_id: Id, role: Role) -> AppResult<()>;
    /// Ties a user to the volunteer record they sign in for.
    async fn link_volunteer(&self, user_id: Id, volunteer_id: Id) -> AppResult<()>;
    /// Refused when it would leave no active administrator. The role's
    /// scopes go with it.
    async fn revoke_role(&self, user_id: Id, role: Role) -> AppResult<()>;
    /// Limits the user's role of this kind to one more area, station or
    /// team. Refused when the user does not hold that role.
    async fn grant_scope(&self, user_id: Id, kind: ScopeKind, target_id: Id) -> AppResult<()>;
    async fn revoke_scope(&self, user_id: Id, kind: ScopeKind, target_id: Id) -> AppResult<()>;
    /// Deactivating ends the user's sessions at once; refused when it would
    /// leave no active administrator.
    async fn set_user_active(&self, user_id: Id, active: bool) -> AppResult<()>;
    /// Keeps a requested email change until its link is used (an earlier
    /// request of the same user is dropped). Refused when the address is in use.
    async fn store_email_change(
        &self,
        user_id: Id,
        token_hash: &str,
        new_email: &str,
        expires_at: i64,
    ) -> AppResult<()>;
    /// Uses an email-change link: the user's (and their volunteer record's)
    /// address becomes the new one. `None` for a used, expired or unknown link.
    async fn confirm_email_change(
        &self,
        token_hash: &str,
        now: i64,
    ) -> AppResult<Option<EmailChanged>>;
    /// Active coordinators who plan `area_id` (those limited to other areas not).
    async fn area_coordinators(&self, area_id: Id) -> AppResult<Vec<Id>>;
    /// Active station managers of `station_id`.
    async fn station_managers(&self, station_id: Id) -> AppResult<Vec<Id>>;
    /// Ends every session of a user (sign out on all devices).
    async fn delete_user_sessions(&self, user_id: Id) -> AppResult<()>;
    async fn record_audit(&self, entry: &AuditEntry, now: i64) -> AppResult<()>;
    /// Records `entry` unless the same actor has a line of the same action
    /// and subject since `since`: a search refined keystroke by keystroke
    /// is one line, not thirty. Reads before it writes, so a repeat costs
    /// no write.
    async fn record_audit_since(&self, entry: &AuditEntry, since: i64, now: i64) -> AppResult<()>;
    /// The newest lines first, optionally of one action and containing `text`
    /// (in who, what or where).
    async fn list_audit(
        &self,
        action: Option<AuditAction>,
        text: &str,
        limit: i64,
    ) -> AppResult<Vec<AuditRecord>>;

    /// The user's WebAuthn user handle, made on first use.
    async fn passkey_handle(&self, user_id: Id) -> AppResult<String>;
    async fn store_ceremony(
        &self,
        key_hash: &str,
        kind: &str,
        user_id: Option<Id>,
        state: &str,
        expires_at: i64,
    ) -> AppResult<()>;
    /// Removes and returns a ceremony's (user, state) if it is of `kind` and
    /// has not expired: each ceremony can be finished once.
    async fn take_ceremony(
        &self,
        key_hash: &str,
        kind: &str,
        now: i64,
    ) -> AppResult<Option<(Option<Id>, String)>>;
    async fn add_passkey(
        &self,
        user_id: Id,
        credential_id: &str,
        name: &str,
        data: &str,
        now: i64,
    ) -> AppResult<Id>;
    /// The credential ids of a user's passkeys.
    async fn passkey_credential_ids(&self, user_id: Id) -> AppResult<Vec<String>>;
    /// (passkey id, user id, data) of an active user's credential.
    async fn passkey_by_credential(
        &self,
        credential_id: &str,
    ) -> AppResult<Option<(Id, Id, String)>>;
    async fn record_passkey_use(&self, passkey_id: Id, data: &str, now: i64) -> AppResult<()>;
    async fn list_passkeys(&self, user_id: Id) -> AppResult<Vec<PasskeyInfo>>;
    /// Renames one of the user's own passkeys (another's is "not found").
    async fn rename_passkey(&self, user_id: Id, passkey_id: Id, name: &str) -> AppResult<()>;
    async fn delete_passkey(&self, user_id: Id, passkey_id: Id) -> AppResult<()>;
}

/// A message to be written to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Enqueuing the same key twice stores the message once.
    pub idempotency_key: String,
    pub user_id: Option<Id>,
    pub volunteer_id: Option<Id>,
    pub kind: MessageKind,
    pub election_id: Option<Id>,
    pub task_type_id: Option<Id>,
    pub seat_id: Option<Id>,
    pub params: Params,
}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPushSubscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub device_name: String,
}

/// One person for one open seat, with the message that tells them.
#[derive(Debug, Clone)]
pub struct SeatFill {
    pub seat_id: Id,
    pub volunteer_id: Id,
    pub status: SeatStatus,
    pub respond_by: Option<i64>,
    pub message: Option<NewMessage>,
}

/// A confirmed change of address: the old one is told, in case it was not
/// its owner who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChanged {
    pub user_id: Id,
    pub name: String,
    pub old_email: String,
    pub new_email: String,
}

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// The stored value of a server key; the first call stores `fresh`.
    async fn server_key(&self, name: &str, fresh: &str, now: i64) -> AppResult<String>;
    /// Stores a subscription for the user; an endpoint seen before moves to
    /// this user (the device changed hands or signed in again).
    async fn add_push_subscription(
        &self,
        user_id: Id,
        subscription: &NewPushSubscription,
        now: i64,
    ) -> AppResult<Id>;
    async fn list_push_devices(&self, user_id: Id) -> AppResult<Vec<PushDevice>>;
    /// Removes one of the user's own devices (another's is "not found").
    async fn delete_push_device(&self, user_id: Id, device_id: Id) -> AppResult<()>;
    /// Forgets the user's subscriptions: the one of `endpoint` (the device
    /// signing out), or with `None` all of them (signed out everywhere).
    /// Returns how many went.
    async fn forget_push_devices(&self, user_id: Id, endpoint: Option<&str>) -> AppResult<u64>;
    /// Writes a message to the outbox; returns its id (the existing one for
    /// a repeated idempotency key).
    async fn enqueue(&self, message: &NewMessage, now: i64) -> AppResult<Id>;
    /// The newest messages first, of one volunteer or of everyone; with
    /// `areas`, only those to volunteers holding a seat in one of them.
    async fn list_messages(
        &self,
        volunteer_id: Option<Id>,
        areas: Option<&[Id]>,
        limit: i64,
    ) -> AppResult<Vec<MessageRecord>>;
    /// The volunteer a message went to (none for one to staff).
    async fn message_volunteer(&self, message_id: Id) -> AppResult<Option<Id>>;
    /// The volunteer holds a seat at a station in one of `areas`.
    async fn volunteer_in_areas(&self, volunteer_id: Id, areas: &[Id]) -> AppResult<bool>;
    /// Writes many messages to the outbox, all or none.
    async fn enqueue_all(&self, messages: &[NewMessage], now: i64) -> AppResult<()>;
    /// Volunteers who have turned push on for at least one device.
    async fn volunteers_with_push(&self) -> AppResult<Vec<Id>>;
    /// Puts a failed message back in the queue.
    async fn resend_message(&self, id: Id, now: i64) -> AppResult<()>;
    /// A volunteer's channels, in the order they want them.
    async fn set_channels(&self, volunteer_id: Id, channels: &[Channel]) -> AppResult<()>;
    /// A coordinator's wording for a message, most specific first: for the
    /// election and task type, then the election.
    async fn find_template(
        &self,
        election_id: Id,
        task_type_id: Option<Id>,
        kind: MessageKind,
        channel: Channel,
        language: &str,
    ) -> AppResult<Option<Template>>;
    async fn list_templates(&self, election_id: Id) -> AppResult<Vec<StoredTemplate>>;
    /// Stores (or replaces) the wording for one election, task type (or
    /// all), kind, channel and language.
    async fn save_template(
        &self,
        election_id: Id,
        template: &StoredTemplate,
        now: i64,
    ) -> AppResult<()>;
    /// Back to the default wording.
    async fn delete_template(&self, election_id: Id, id: Id) -> AppResult<()>;
}

#[async_trait]
pub trait SignupStore: Send + Sync {
    async fn create_link(&self, link: &NewSignupLink, now: i64) -> AppResult<Id>;
    /// Links of the given teams (all teams when `None`), newest first.
    async fn list_links(&self, teams: Option<&[Id]>) -> AppResult<Vec<SignupLink>>;
    async fn get_link(&self, id: Id) -> AppResult<SignupLink>;
    /// A link by the hash of its token, if it exists and is not revoked.
    async fn link_by_token(&self, token_hash: &str) -> AppResult<Option<SignupLink>>;
    async fn revoke_link(&self, id: Id, now: i64) -> AppResult<()>;
    /// The team's cells the link allows from `from` on, trusted task types
    /// left out; full cells too (for their standby queue), with the place of
    /// `volunteer` in each queue.
    async fn open_cells(
        &self,
        link: &SignupLink,
        from: NaiveDate,
        volunteer: Option<Id>,
    ) -> AppResult<Vec<OpenCell>>;
    /// Gives the volunteer one open seat of the cell, as accepted, in one
    /// write transaction (so the last seat goes to exactly one person), puts
    /// them on the team, and writes `message` (its seat id filled in).
    /// Refused when no seat is left or the person has an overlapping shift.
    async fn take_seat(
        &self,
        link: &SignupLink,
        cell: CellChoice,
        volunteer_id: Id,
        now: i64,
        message: NewMessage,
    ) -> AppResult<Id>;
    /// Holds an open seat of the cell for a newcomer who has not yet proved
    /// their address: it is invited to them until `held_until` (then it runs
    /// out like any invitation) and becomes theirs when they prove it. Puts
    /// them on the team; no message. Refused as [`Self::take_seat`].
    async fn hold_seat(
        &self,
        link: &SignupLink,
        cell: CellChoice,
        volunteer_id: Id,
        now: i64,
        held_until: i64,
    ) -> AppResult<Id>;
    /// The seats held for the volunteer that are still invited to them.
    async fn held_seats(&self, volunteer_id: Id) -> AppResult<Vec<Id>>;
    /// Forgets the volunteer's holds (they proved their address).
    async fn release_holds(&self, volunteer_id: Id) -> AppResult<()>;
    /// Puts the volunteer last in the cell's standby queue (and on the
    /// team) and gives their place. Refused while a seat is free, when they
    /// hold one of the cell's seats, or have a shift at the same time.
    async fn join_standby(
        &self,
        link: &SignupLink,
        cell: CellChoice,
        volunteer_id: Id,
        now: i64,
    ) -> AppResult<i64>;
    /// Takes the volunteer out of a queue; NotFound if it is not theirs.
    async fn leave_standby(&self, volunteer_id: Id, standby_id: Id) -> AppResult<()>;
    /// The queues the volunteer waits in (active elections), with places.
    async fn volunteer_standby(&self, volunteer_id: Id) -> AppResult<Vec<StandbyPlace>>;
    /// Creates a volunteer and their account (volunteer role) in one go and
    /// puts them on the team. Refused when the email is already in use.
    async fn register_volunteer(
        &self,
        new: &NewVolunteer,
        team_id: Id,
        now: i64,
    ) -> AppResult<(Id, Id)>;
    /// Puts a volunteer on a team (nothing changes if they are on it).
    async fn join_team(&self, team_id: Id, volunteer_id: Id) -> AppResult<()>;
}

/// The gap board's counts, and the versions that tell open boards to refresh.
/// Check-in marks made on station devices and sent later (see
/// [`crate::domain::checkin`]).
#[async_trait]
pub trait CheckinStore: Send + Sync {
    /// Takes a mark from `user_id`'s device: once per (user, key), so a
    /// mark sent again gets the first answer and changes nothing more.
    /// The seat's attendance and time afterwards come back with the
    /// outcome. NotFound for a seat that is gone; refused for a person
    /// who never held the seat.
    async fn record_checkin(
        &self,
        user_id: Id,
        mark: &crate::domain::checkin::CheckinMark,
        now: i64,
    ) -> AppResult<crate::domain::checkin::Recorded>;
    /// Flagged check-ins of an election nobody has cleared yet, newest first.
    async fn checkin_flags(
        &self,
        election_id: Id,
    ) -> AppResult<Vec<crate::domain::checkin::CheckinFlag>>;
    /// One flag, cleared or not (for checking who may clear it).
    async fn checkin_flag(&self, flag_id: Id) -> AppResult<crate::domain::checkin::CheckinFlag>;
    /// Someone at the office has looked at a flag: it leaves the board.
    async fn clear_checkin_flag(&self, flag_id: Id, now: i64) -> AppResult<()>;
}

#[async_trait]
pub trait BoardStore: Send + Sync {
    /// Seats per station and task type (with the station's area), for one
    /// election, optionally one day and one team. Accepted seats of
    /// `overdue_by`'s day that start at or before its time and nobody has
    /// checked in count as overdue.
    async fn board_counts(
        &self,
        election_id: Id,
        day: Option<NaiveDate>,
        team: Option<Id>,
        overdue_by: Option<(NaiveDate, chrono::NaiveTime)>,
    ) -> AppResult<Vec<BoardCount>>;
    /// The days of an election that have seats.
    async fn election_days(&self, election_id: Id) -> AppResult<Vec<NaiveDate>>;
    /// (election, version): the version moves with every change to its seats.
    async fn board_versions(&self) -> AppResult<Vec<(Id, i64)>>;
    /// (station, version) of those of `stations` whose seats have changed
    /// since the database was made.
    async fn station_versions(&self, stations: &[Id]) -> AppResult<Vec<(Id, i64)>>;
    /// (volunteer, version) of those of `volunteers` who have had a seat.
    async fn volunteer_versions(&self, volunteers: &[Id]) -> AppResult<Vec<(Id, i64)>>;
}

/// Calls for cover: an open seat offered to a group, first come first served.
#[async_trait]
pub trait CoverStore: Send + Sync {
    /// Offers an open seat to `volunteers` until `expires_at` and writes
    /// `messages` with it. A newer call replaces an open one for the seat.
    /// Refused when the seat is not open.
    async fn create_cover_call(
        &self,
        seat_id: Id,
        volunteers: &[Id],
        created_by: Id,
        expires_at: i64,
        now: i64,
        messages: &[NewMessage],
    ) -> AppResult<Id>;
    /// The newest call for a seat (to anyone), if any.
    async fn latest_cover_call(&self, seat_id: Id) -> AppResult<Option<CoverCall>>;
    /// The newest call for a seat that went to `volunteer`, if any.
    async fn cover_call_for(&self, seat_id: Id, volunteer_id: Id) -> AppResult<Option<CoverCall>>;
    /// The volunteer takes the seat of an open call that went to them, in
    /// one write transaction (so exactly one of many gets it), and
    /// `messages` are written with it. Refused when the seat has gone
    /// (`cover.taken`), the call has run out (`cover.closed`), or they have
    /// a shift at the same time.
    async fn take_cover(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        now: i64,
        messages: &[NewMessage],
    ) -> AppResult<()>;
    /// The volunteer says no to a call that went to them.
    async fn decline_cover(&self, seat_id: Id, volunteer_id: Id, now: i64) -> AppResult<()>;
    /// Seats of open, unexpired calls that went to the volunteer and that
    /// they have not said no to, with when each call runs out.
    async fn volunteer_cover_offers(
        &self,
        volunteer_id: Id,
        now: i64,
    ) -> AppResult<Vec<(SeatDetails, i64)>>;
}

/// Personal answer links (see [`crate::domain::answers`]); only hashes of
/// the tokens are kept.
#[async_trait]
pub trait AnswerStore: Send + Sync {
    /// Keeps a link for the seat's live offer to the volunteer: their
    /// invitation, or a call for cover that went to them. The link lasts
    /// until the offer's deadline, which is returned; `None` (and nothing
    /// kept) when there is no such offer any more.
    async fn create_answer_link(
        &self,
        token_hash: &str,
        seat_id: Id,
        volunteer_id: Id,
        now: i64,
    ) -> AppResult<Option<i64>>;
    /// The link if it is unused, within its deadline, and the offer it was
    /// made for still stands.
    async fn answer_link(
        &self,
        token_hash: &str,
        now: i64,
    ) -> AppResult<Option<crate::domain::answers::AnswerLink>>;
    /// Uses up every link of the volunteer for the seat (after an answer).
    async fn spend_answer_links(&self, seat_id: Id, volunteer_id: Id, now: i64) -> AppResult<()>;
}

/// Everything the server functions need from storage.
/// The retention policy's side of storage: what is past its time, and
/// removing it.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// What a run would remove now, per kind and election; nothing changes.
    async fn retention_plan(
        &self,
        cutoffs: &crate::domain::retention::Cutoffs,
        today: NaiveDate,
    ) -> AppResult<Vec<crate::domain::retention::RetentionItem>>;
    /// Removes it in small transactions, so a run cut short leaves nothing
    /// half-done and the next run takes up the rest. Returns what went.
    async fn apply_retention(
        &self,
        cutoffs: &crate::domain::retention::Cutoffs,
        today: NaiveDate,
        now: i64,
    ) -> AppResult<Vec<crate::domain::retention::RetentionItem>>;
}

/// The versions of the privacy text (see [`crate::domain::privacy`]).
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// Every published version, newest first.
    async fn privacy_texts(&self) -> AppResult<Vec<crate::domain::privacy::PrivacyText>>;
    /// The newest published version, if any was.
    async fn current_privacy_text(&self) -> AppResult<Option<crate::domain::privacy::PrivacyText>>;
    async fn privacy_text(
        &self,
        version: &str,
    ) -> AppResult<Option<crate::domain::privacy::PrivacyText>>;
    /// Publishes a new version; a version name already used is refused.
    async fn publish_privacy_text(
        &self,
        text: &crate::domain::privacy::NewPrivacyText,
        by: Id,
        now: i64,
    ) -> AppResult<()>;
}

/// CPR numbers and what the register said of each person. The numbers are
/// read only through here, so that where they go is plain to see.
#[async_trait]
pub trait CivilRegisterStore: Send + Sync {
    /// The person's CPR number and its last lookup, if a number is stored.
    async fn cpr_record(
        &self,
        volunteer_id: Id,
    ) -> AppResult<Option<(crate::domain::cpr::CprNumber, crate::domain::cpr::CprRecord)>>;
    /// Stores or replaces the number (a new number forgets the old lookup).
    /// Refused as taken when another person has it.
    async fn set_cpr(
        &self,
        volunteer_id: Id,
        cpr: &crate::domain::cpr::CprNumber,
        now: i64,
    ) -> AppResult<()>;
    async fn remove_cpr(&self, volunteer_id: Id) -> AppResult<()>;
    /// Keeps what a lookup of `cpr` found (`Ok`), or why it found nothing
    /// (`Err("not_found" | "refused")`). Nothing is kept when the number
    /// was changed meanwhile: the lookup was of another number.
    async fn record_cpr_lookup(
        &self,
        volunteer_id: Id,
        cpr: &crate::domain::cpr::CprNumber,
        outcome: Result<&crate::domain::cpr::RegisterFacts, &str>,
        at: i64,
    ) -> AppResult<()>;
    /// The person's flagged seats are these now (seat, reason key); flags
    /// of other seats of theirs go.
    async fn set_eligibility_flags(
        &self,
        volunteer_id: Id,
        flags: &[(Id, String)],
        now: i64,
    ) -> AppResult<()>;
    /// The flags of an election whose seat the flagged person still holds.
    async fn eligibility_flags(
        &self,
        election_id: Id,
    ) -> AppResult<Vec<crate::domain::cpr::EligibilityFlag>>;
    /// People due a fresh lookup, least recently looked up first: a number
    /// on record, a seat (invited or accepted) from `from` on in an active
    /// election, and no lookup since `looked_up_before`.
    async fn cpr_due(
        &self,
        from: NaiveDate,
        looked_up_before: i64,
        limit: i64,
    ) -> AppResult<Vec<Id>>;
    /// Of these people, those Digital Post may try: a CPR number is on
    /// record and the register does not say they are exempt.
    async fn digital_post_reachable(
        &self,
        volunteer_ids: &[Id],
    ) -> AppResult<std::collections::HashSet<Id>>;
    /// Everyone the register says is exempt from Digital Post, by name:
    /// messages to them go by their other channels.
    async fn digital_post_exempt(&self) -> AppResult<Vec<(Id, String)>>;
    /// The CPR numbers of these people that are on record.
    async fn cpr_numbers(
        &self,
        volunteer_ids: &[Id],
    ) -> AppResult<std::collections::HashMap<Id, crate::domain::cpr::CprNumber>>;
}

/// The numbers finance pays people against (when no CPR number is used).
#[async_trait]
pub trait PayrollStore: Send + Sync {
    async fn payroll_number(&self, volunteer_id: Id) -> AppResult<Option<String>>;
    /// Sets (or with `None` takes off) a person's payroll number.
    async fn set_payroll_number(
        &self,
        volunteer_id: Id,
        number: Option<&crate::domain::exports::PayrollNumber>,
        now: i64,
    ) -> AppResult<()>;
    /// The payroll numbers of these people that have one.
    async fn payroll_numbers(
        &self,
        volunteer_ids: &[Id],
    ) -> AppResult<std::collections::HashMap<Id, String>>;
}

pub trait Storage:
    ElectionStore
    + StationStore
    + TaskStore
    + TeamStore
    + VolunteerStore
    + SeatStore
    + AccountStore
    + NotificationStore
    + SignupStore
    + BoardStore
    + CoverStore
    + AnswerStore
    + RetentionStore
    + PrivacyStore
    + CheckinStore
    + CivilRegisterStore
    + PayrollStore
{
}

impl<T> Storage for T where
    T: ElectionStore
        + StationStore
        + TaskStore
        + TeamStore
        + VolunteerStore
        + SeatStore
        + AccountStore
        + NotificationStore
        + SignupStore
        + BoardStore
        + CoverStore
        + AnswerStore
        + RetentionStore
        + PrivacyStore
        + CheckinStore
        + CivilRegisterStore
        + PayrollStore
{
}
