//! Setting people aside and deleting them, one or many at once: what each
//! would lose is worked out before anything changes, so the office sees
//! which seats open again and what stays for payroll.

use super::accounts::Role;
use super::seats::{SeatDetails, SeatStatus};
use super::{AppError, Id};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// At most this many people in one go (a page of the register and then some).
pub const MAX_AT_ONCE: usize = 200;

/// What the office does to the chosen people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RemovalAction {
    /// Keep the record; no sign-in, no seats, no offers.
    Deactivate,
    /// Take a deactivated person back.
    Activate,
    /// Erase them, or anonymise them where payroll needs their past shifts.
    Delete,
}

impl RemovalAction {
    pub const ALL: [RemovalAction; 3] = [Self::Deactivate, Self::Activate, Self::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deactivate => "deactivate",
            Self::Activate => "activate",
            Self::Delete => "delete",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == raw.trim())
            .ok_or_else(|| AppError::invalid("action", "error.unknown_choice"))
    }
}

/// Who asks for a deletion: a volunteer may not leave a shift inside its
/// lock period; the office may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionBy {
    Themselves,
    Office,
}

/// What one person's removal does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovalPreview {
    pub volunteer_id: Id,
    pub name: String,
    pub deactivated: bool,
    /// Seats they hold from today on, which open again (and go to their
    /// standby queues). Activating frees nothing.
    pub freed: Vec<SeatDetails>,
    /// Past accepted shifts: paid, so kept (anonymised) on deletion.
    pub paid_shifts: usize,
    /// Why this person cannot be part of it (a message key), if so.
    pub blocked: Option<String>,
}

impl RemovalPreview {
    /// Deleting them keeps an anonymised record for payroll.
    pub fn anonymised(&self) -> bool {
        self.paid_shifts > 0
    }
}

/// A shift that counts for payroll: accepted and already past. Deleting
/// someone keeps these (anonymised); the preview and the storage both ask here.
pub fn is_paid(status: SeatStatus, day: NaiveDate, today: NaiveDate) -> bool {
    status == SeatStatus::Accepted && day < today
}

/// The seats someone holds from `today` on: those that open again when they
/// leave, are set aside or deleted.
pub fn coming_seats(seats: Vec<SeatDetails>, today: NaiveDate) -> Vec<SeatDetails> {
    seats
        .into_iter()
        .filter(|s| s.day >= today && s.status != SeatStatus::Open)
        .collect()
}

/// What `action` would do to a person holding `seats`, with `roles` on
/// their account and deactivated or not.
pub fn preview(
    action: RemovalAction,
    volunteer_id: Id,
    name: String,
    deactivated: bool,
    roles: &[Role],
    seats: Vec<SeatDetails>,
    today: NaiveDate,
) -> RemovalPreview {
    let paid_shifts = seats
        .iter()
        .filter(|s| is_paid(s.status, s.day, today))
        .count();
    let freed = match action {
        RemovalAction::Activate => Vec::new(),
        _ => coming_seats(seats, today),
    };
    let staff = roles.iter().any(|r| *r != Role::Volunteer);
    let blocked = match action {
        // Office roles are closed under Brugere, where the last
        // administrator is protected.
        _ if staff => Some("removals.staff"),
        RemovalAction::Deactivate if deactivated => Some("removals.already_deactivated"),
        RemovalAction::Activate if !deactivated => Some("removals.not_deactivated"),
        _ => None,
    };
    RemovalPreview {
        volunteer_id,
        name,
        deactivated,
        freed,
        paid_shifts,
        blocked: blocked.map(str::to_string),
    }
}

/// The chosen people's ids, as a comma-separated list or repeated fields:
/// distinct, in the order given, at least one and at most [`MAX_AT_ONCE`].
pub fn parse_ids<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<Id>, AppError> {
    let mut ids = Vec::new();
    for part in raw.into_iter().flat_map(|r| r.split(',')) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let id: Id = part
            .parse()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| AppError::invalid("ids", "removals.bad_ids"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(AppError::invalid("ids", "removals.none_chosen"));
    }
    if ids.len() > MAX_AT_ONCE {
        return Err(AppError::invalid("ids", "removals.too_many"));
    }
    Ok(ids)
}

/// The ids as the confirm form carries them.
pub fn join_ids(ids: &[Id]) -> String {
    ids.iter().map(Id::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(day: &str, status: SeatStatus) -> SeatDetails {
        let time = |t: &str| t.parse().expect("time");
        SeatDetails {
            seat_id: 1,
            election_id: 1,
            election_title: "Folketingsvalg".into(),
            election_active: true,
            lock_days: 3,
            reminders: crate::domain::elections::Reminders {
                invite_every_days: 0,
                shift_days_before: 0,
                morning: false,
            },
            station_id: 1,
            area_id: 1,
            station_name: "Rådhuset".into(),
            address: String::new(),
            day: day.parse().expect("date"),
            start_time: time("08:00:00"),
            end_time: time("20:00:00"),
            task_type_id: 1,
            task_type: "Tilforordnet".into(),
            task_description: String::new(),
            team_id: 1,
            team: "A".into(),
            latitude: None,
            longitude: None,
            payment_dkk: 0,
            task_reminders: false,
            status,
            volunteer_id: Some(7),
            volunteer_name: None,
            volunteer_language: None,
            invited_at: None,
            respond_by: None,
        }
    }

    fn today() -> NaiveDate {
        "2027-03-10".parse().expect("date")
    }

    #[test]
    fn deleting_keeps_past_accepted_shifts_and_frees_the_coming_ones() {
        let seats = vec![
            seat("2027-03-01", SeatStatus::Accepted),
            seat("2027-03-01", SeatStatus::Invited),
            seat("2027-03-10", SeatStatus::Accepted),
            seat("2027-04-01", SeatStatus::Invited),
        ];
        let p = preview(
            RemovalAction::Delete,
            7,
            "Jens".into(),
            false,
            &[Role::Volunteer],
            seats,
            today(),
        );
        assert_eq!(p.paid_shifts, 1);
        assert!(p.anonymised());
        assert_eq!(p.freed.len(), 2);
        assert_eq!(p.blocked, None);
    }

    #[test]
    fn someone_with_no_paid_shift_is_erased() {
        let p = preview(
            RemovalAction::Delete,
            7,
            "Jens".into(),
            false,
            &[],
            vec![seat("2027-04-01", SeatStatus::Accepted)],
            today(),
        );
        assert!(!p.anonymised());
        assert_eq!(p.freed.len(), 1);
    }

    #[test]
    fn staff_and_repeated_actions_are_blocked() {
        let make = |action, deactivated, roles: &[Role]| {
            preview(
                action,
                1,
                "A".into(),
                deactivated,
                roles,
                Vec::new(),
                today(),
            )
            .blocked
        };
        assert_eq!(
            make(
                RemovalAction::Delete,
                false,
                &[Role::Volunteer, Role::TeamLeader]
            )
            .as_deref(),
            Some("removals.staff")
        );
        assert_eq!(
            make(RemovalAction::Deactivate, true, &[]).as_deref(),
            Some("removals.already_deactivated")
        );
        assert_eq!(
            make(RemovalAction::Activate, false, &[]).as_deref(),
            Some("removals.not_deactivated")
        );
        assert_eq!(make(RemovalAction::Activate, true, &[]), None);
    }

    #[test]
    fn activating_frees_nothing() {
        let p = preview(
            RemovalAction::Activate,
            1,
            "A".into(),
            true,
            &[],
            vec![seat("2027-04-01", SeatStatus::Invited)],
            today(),
        );
        assert!(p.freed.is_empty());
    }

    #[test]
    fn ids_are_parsed_from_lists_and_repeated_fields() {
        assert_eq!(parse_ids(["3,1", "3", " 2 "]).expect("ids"), vec![3, 1, 2]);
        assert!(parse_ids(["", ","]).is_err());
        assert!(parse_ids(["1,x"]).is_err());
        assert!(parse_ids(["-4"]).is_err());
        let many = (1..=201)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(parse_ids([many.as_str()]).is_err());
        assert_eq!(join_ids(&[3, 1]), "3,1");
    }
}
