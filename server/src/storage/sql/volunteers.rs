use super::Db;
use super::{id_array, now, one_row, Storage};
use crate::storage::db_error;
use app::domain::notifications::Channel;
use app::domain::removals::{is_paid, DeletionBy};
use app::domain::seats::SeatStatus;
use app::domain::volunteers::{
    Citizenship, Diet, Language, NewVolunteer, ProfileChange, SeatEvent, Volunteer,
};
use app::domain::{AppError, Id};
use app::server::storage::{NewMessage, VolunteerStore};
use async_trait::async_trait;
use chrono::NaiveDate;

/// Opens the seats (id, status) a person leaves, each to its standby queue;
/// in the history an accepted shift is cancelled, an invitation withdrawn.
async fn release_left_seats(
    tx: &mut sqlx::Transaction<'static, Db>,
    offers: &super::OfferRules,
    seats: &[(Id, String)],
    now: i64,
) -> Result<(), AppError> {
    for (seat_id, status) in seats {
        let event = if status == "accepted" {
            "cancelled"
        } else {
            "withdrawn"
        };
        super::seats::release_seat(tx, offers, *seat_id, event, "", now).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct VolunteerRow {
    id: i64,
    name: String,
    birth_date: NaiveDate,
    email: String,
    phone: String,
    address: String,
    postal_code: String,
    city: String,
    municipality_code: String,
    citizenship: String,
    under_guardianship: bool,
    verified: bool,
    language: String,
    consent_at: Option<i64>,
    consent_version: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DietRow {
    id: i64,
    name: String,
    volunteers: i64,
}

const DIET_SELECT: &str = "SELECT d.id, d.name,
        (SELECT count(*) FROM volunteer_diets vd WHERE vd.diet_id = d.id) AS volunteers
    FROM diets d";

fn diet(row: DietRow) -> Diet {
    Diet {
        id: row.id,
        name: row.name,
        volunteers: row.volunteers,
    }
}

#[async_trait]
impl VolunteerStore for Storage {
    async fn list_diets(&self) -> Result<Vec<Diet>, AppError> {
        let rows: Vec<DietRow> = sqlx::query_as(&format!("{DIET_SELECT} ORDER BY d.name"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(diet).collect())
    }

    async fn get_diet(&self, id: Id) -> Result<Diet, AppError> {
        let row: DietRow = sqlx::query_as(&format!("{DIET_SELECT} WHERE d.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(diet(row))
    }

    async fn create_diet(&self, name: &str) -> Result<Id, AppError> {
        sqlx::query_scalar("INSERT INTO diets (name) VALUES ($1) RETURNING id")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn update_diet(&self, id: Id, name: &str) -> Result<(), AppError> {
        let result = sqlx::query("UPDATE diets SET name = $2 WHERE id = $1")
            .bind(id)
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn delete_diet(&self, id: Id) -> Result<(), AppError> {
        // Volunteers who chose it simply lose the choice (cascade).
        let result = sqlx::query("DELETE FROM diets WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn create_volunteer(&self, new: &NewVolunteer) -> Result<Id, AppError> {
        let mut tx = self.write().await?;
        let id = insert_volunteer(&mut tx, new, now()).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(id)
    }

    async fn get_volunteer(&self, id: Id) -> Result<Volunteer, AppError> {
        let row: VolunteerRow = sqlx::query_as(
            "SELECT id, name, birth_date, email, phone, address, postal_code, city, municipality_code,
                    citizenship, under_guardianship, verified, language, consent_at, consent_version
             FROM volunteers WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        let diet_ids: Vec<Id> = sqlx::query_scalar(
            "SELECT diet_id FROM volunteer_diets WHERE volunteer_id = $1 ORDER BY diet_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(Volunteer {
            id: row.id,
            name: row.name,
            birth_date: row.birth_date,
            email: row.email,
            phone: row.phone,
            address: row.address,
            postal_code: row.postal_code,
            city: row.city,
            municipality_code: row.municipality_code,
            citizenship: Citizenship::parse(&row.citizenship).unwrap_or(Citizenship::Other),
            under_guardianship: row.under_guardianship,
            verified: row.verified,
            language: Language::parse(&row.language).unwrap_or(Language::Da),
            diet_ids,
            consent_at: row.consent_at,
            consent_version: row.consent_version,
            register: self.register_facts(id).await?,
        })
    }

    async fn find_volunteer_by_email(&self, email: &str) -> Result<Option<Id>, AppError> {
        sqlx::query_scalar("SELECT id FROM volunteers WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn set_calendar_token(
        &self,
        volunteer_id: Id,
        token_hash: &str,
        now: i64,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO calendar_feeds (volunteer_id, token_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (volunteer_id) DO UPDATE SET token_hash = excluded.token_hash,
                 created_at = excluded.created_at",
        )
        .bind(volunteer_id)
        .bind(token_hash)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn delete_calendar_token(&self, volunteer_id: Id) -> Result<(), AppError> {
        sqlx::query("DELETE FROM calendar_feeds WHERE volunteer_id = $1")
            .bind(volunteer_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn has_calendar_feed(&self, volunteer_id: Id) -> Result<bool, AppError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        has_calendar_feed_on(&mut conn, volunteer_id).await
    }

    async fn volunteer_by_calendar_token(&self, token_hash: &str) -> Result<Option<Id>, AppError> {
        sqlx::query_scalar("SELECT volunteer_id FROM calendar_feeds WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn update_profile(
        &self,
        volunteer_id: Id,
        change: &ProfileChange,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let result = sqlx::query(
            "UPDATE volunteers SET phone = $2, address = $3, postal_code = $4, city = $5, language = $6,
                 channels = $7, municipality_code = coalesce($8, municipality_code) WHERE id = $1",
        )
        .bind(volunteer_id)
        .bind(change.phone.as_str())
        .bind(&change.address)
        .bind(&change.postal_code)
        .bind(&change.city)
        .bind(change.language.as_str())
        .bind(Channel::list_to_string(&change.channels))
        .bind(change.municipality_code.as_deref())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        one_row(result)?;
        set_diets(&mut tx, volunteer_id, &change.diet_ids).await?;
        // Only teams they are on; a team id that is not theirs changes nothing.
        sqlx::query(&format!(
            "UPDATE team_members SET share_contact = (team_id IN ({}))
             WHERE volunteer_id = $1",
            super::dialect::ids("$2")
        ))
        .bind(volunteer_id)
        .bind(id_array(&change.share))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn volunteer_history(&self, volunteer_id: Id) -> Result<Vec<SeatEvent>, AppError> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            String,
            String,
            i64,
            NaiveDate,
            Option<String>,
            Option<String>,
        )> = sqlx::query_as(
            "SELECT h.event, h.reason, h.at, h.day, st.name, t.title FROM seat_history h
                 LEFT JOIN stations st ON st.id = h.station_id
                 LEFT JOIN task_types t ON t.id = h.task_type_id
                 WHERE h.volunteer_id = $1 ORDER BY h.at, h.id",
        )
        .bind(volunteer_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(event, reason, at, day, station, task_type)| SeatEvent {
                event,
                reason,
                at,
                day,
                station: station.unwrap_or_default(),
                task_type: task_type.unwrap_or_default(),
            })
            .collect())
    }

    async fn volunteer_channels(&self, volunteer_id: Id) -> Result<Vec<Channel>, AppError> {
        let raw: String = sqlx::query_scalar("SELECT channels FROM volunteers WHERE id = $1")
            .bind(volunteer_id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(Channel::parse_list(&raw))
    }

    async fn channels_of(
        &self,
        volunteer_ids: &[Id],
    ) -> Result<std::collections::HashMap<Id, Vec<Channel>>, AppError> {
        let rows: Vec<(Id, String)> = sqlx::query_as(&format!(
            "SELECT id, channels FROM volunteers WHERE id IN ({})",
            super::dialect::ids("$1")
        ))
        .bind(id_array(volunteer_ids))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(id, raw)| (id, Channel::parse_list(&raw)))
            .collect())
    }

    async fn volunteer_team_sharing(
        &self,
        volunteer_id: Id,
    ) -> Result<Vec<(Id, String, bool)>, AppError> {
        sqlx::query_as(
            "SELECT t.id, t.name, m.share_contact FROM team_members m JOIN teams t ON t.id = m.team_id
             WHERE m.volunteer_id = $1 ORDER BY t.name",
        )
        .bind(volunteer_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn delete_volunteer_account(
        &self,
        volunteer_id: Id,
        today: NaiveDate,
        now: i64,
        messages: &[NewMessage],
        by: DeletionBy,
    ) -> Result<bool, AppError> {
        let mut tx = self.write().await?;
        let held: Vec<(Id, String, NaiveDate, i64)> = sqlx::query_as(
            "SELECT s.id, s.status, s.day, e.lock_days FROM seats s
             JOIN elections e ON e.id = s.election_id WHERE s.volunteer_id = $1",
        )
        .bind(volunteer_id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        let paid = |status: &str, day: NaiveDate| {
            SeatStatus::parse(status).is_some_and(|s| is_paid(s, day, today))
        };
        let locked = by == DeletionBy::Themselves
            && held.iter().any(|(_, status, day, lock_days)| {
                status == "accepted"
                    && *day >= today
                    && !app::domain::elections::may_self_cancel(*day, today, *lock_days)
            });
        if locked {
            return Err(AppError::refused("profile.delete_locked"));
        }
        let keep_for_payroll = held.iter().any(|(_, status, day, _)| paid(status, *day));
        let leaving: Vec<(Id, String)> = held
            .iter()
            .filter(|(_, status, day, _)| !paid(status, *day))
            .map(|(id, status, ..)| (*id, status.clone()))
            .collect();
        release_left_seats(&mut tx, &self.offers, &leaving, now).await?;
        forget_traces(&mut tx, volunteer_id).await?;
        for statement in [
            "DELETE FROM standby WHERE volunteer_id = $1",
            "DELETE FROM team_members WHERE volunteer_id = $1",
            "DELETE FROM calendar_feeds WHERE volunteer_id = $1",
            // Messages carry their name and address.
            "DELETE FROM outbox WHERE volunteer_id = $1",
            // Sessions, passkeys, push devices and roles go with the account.
            "DELETE FROM users WHERE volunteer_id = $1",
            "DELETE FROM volunteer_diets WHERE volunteer_id = $1",
            // Not even the bookkeeping keeps a CPR number.
            "DELETE FROM volunteer_cpr WHERE volunteer_id = $1",
        ] {
            sqlx::query(statement)
                .bind(volunteer_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        if keep_for_payroll {
            sqlx::query("UPDATE seat_history SET reason = '' WHERE volunteer_id = $1")
                .bind(volunteer_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            sqlx::query(
                "UPDATE volunteers SET name = '—', email = 'deleted-' || id || '@invalid',
                     phone = '+', address = '', postal_code = '', city = '',
                     birth_date = '1900-01-01', under_guardianship = FALSE, verified = FALSE,
                     consent_at = NULL, consent_version = NULL, anonymised_at = $2
                 WHERE id = $1",
            )
            .bind(volunteer_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        } else {
            for statement in [
                "DELETE FROM seat_history WHERE volunteer_id = $1",
                "DELETE FROM checkin_marks WHERE volunteer_id = $1",
            ] {
                sqlx::query(statement)
                    .bind(volunteer_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            let result = sqlx::query("DELETE FROM volunteers WHERE id = $1")
                .bind(volunteer_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            one_row(result)?;
        }
        for message in messages {
            super::notifications::enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(keep_for_payroll)
    }

    async fn set_volunteer_deactivated(
        &self,
        volunteer_id: Id,
        deactivated: bool,
        today: NaiveDate,
        now: i64,
        messages: &[NewMessage],
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        // Deactivating stamps the time; activating clears it.
        let result = sqlx::query(
            "UPDATE volunteers SET deactivated_at = CASE WHEN $2 THEN $3 END
             WHERE id = $1 AND anonymised_at IS NULL AND (deactivated_at IS NULL) = $2",
        )
        .bind(volunteer_id)
        .bind(deactivated)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if result.rows_affected() == 0 {
            return Err(AppError::refused(if deactivated {
                "removals.already_deactivated"
            } else {
                "removals.not_deactivated"
            }));
        }
        // Only an account that is nothing but this volunteer's: office roles
        // are opened and closed under Brugere.
        let volunteer_only = "volunteer_id = $1 AND NOT EXISTS (SELECT 1 FROM user_roles r
                 WHERE r.user_id = users.id AND r.role <> 'volunteer')";
        sqlx::query(&format!(
            "UPDATE users SET active = $2 WHERE {volunteer_only}"
        ))
        .bind(volunteer_id)
        .bind(!deactivated)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        if deactivated {
            sqlx::query(&format!(
                "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE {volunteer_only})"
            ))
            .bind(volunteer_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            let coming: Vec<(Id, String)> = sqlx::query_as(
                "SELECT id, status FROM seats WHERE volunteer_id = $1 AND day >= $2",
            )
            .bind(volunteer_id)
            .bind(today)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
            release_left_seats(&mut tx, &self.offers, &coming, now).await?;
            for statement in [
                "DELETE FROM standby WHERE volunteer_id = $1",
                "DELETE FROM registration_holds WHERE volunteer_id = $1",
            ] {
                sqlx::query(statement)
                    .bind(volunteer_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
        }
        for message in messages {
            super::notifications::enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn volunteer_deactivated_at(&self, volunteer_id: Id) -> Result<Option<i64>, AppError> {
        sqlx::query_scalar("SELECT deactivated_at FROM volunteers WHERE id = $1")
            .bind(volunteer_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?
            .ok_or(AppError::NotFound)
    }

    async fn set_volunteer_verified(
        &self,
        volunteer_id: Id,
        verified: bool,
    ) -> Result<(), AppError> {
        let result = sqlx::query(
            "UPDATE volunteers SET verified = $2 WHERE id = $1 AND anonymised_at IS NULL",
        )
        .bind(volunteer_id)
        .bind(verified)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        one_row(result)
    }

    async fn import_volunteers(
        &self,
        volunteers: &[NewVolunteer],
        team_id: Option<Id>,
        now: i64,
    ) -> Result<Vec<Id>, AppError> {
        let mut tx = self.write().await?;
        let mut ids = Vec::with_capacity(volunteers.len());
        for new in volunteers {
            let id = insert_volunteer(&mut tx, new, now).await?;
            if let Some(team) = team_id {
                super::signup::join_team_in(&mut tx, team, id).await?;
            }
            ids.push(id);
        }
        tx.commit().await.map_err(db_error)?;
        Ok(ids)
    }

    async fn update_volunteer(&self, id: Id, new: &NewVolunteer) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let result = sqlx::query(
            "UPDATE volunteers SET name = $2, birth_date = $3, email = $4, phone = $5, address = $6,
                 postal_code = $7, city = $8, municipality_code = $9, citizenship = $10,
                 under_guardianship = $11, language = $12
             WHERE id = $1 AND anonymised_at IS NULL",
        )
        .bind(id)
        .bind(&new.name)
        .bind(new.birth_date)
        .bind(new.email.as_str())
        .bind(new.phone.as_str())
        .bind(&new.address)
        .bind(&new.postal_code)
        .bind(&new.city)
        .bind(&new.municipality_code)
        .bind(new.citizenship.as_str())
        .bind(new.under_guardianship)
        .bind(new.language.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        one_row(result)?;
        // Their sign-in follows the address on record: the old one stops working.
        sqlx::query("UPDATE users SET email = $2, name = $3 WHERE volunteer_id = $1")
            .bind(id)
            .bind(new.email.as_str())
            .bind(&new.name)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        set_diets(&mut tx, id, &new.diet_ids).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn volunteer_user(&self, volunteer_id: Id) -> Result<Option<Id>, AppError> {
        sqlx::query_scalar("SELECT id FROM users WHERE volunteer_id = $1")
            .bind(volunteer_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn add_volunteer_note(
        &self,
        volunteer_id: Id,
        author_user_id: Id,
        author: &str,
        text: &str,
        now: i64,
    ) -> Result<Id, AppError> {
        sqlx::query_scalar(
            "INSERT INTO volunteer_notes (volunteer_id, author_user_id, author, text, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(volunteer_id)
        .bind(author_user_id)
        .bind(author)
        .bind(text)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn volunteer_notes(
        &self,
        volunteer_id: Id,
    ) -> Result<Vec<app::domain::volunteers::Note>, AppError> {
        let rows: Vec<(Id, String, String, i64)> = sqlx::query_as(
            "SELECT id, author, text, created_at FROM volunteer_notes
             WHERE volunteer_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(volunteer_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, author, text, created_at)| app::domain::volunteers::Note {
                    id,
                    author,
                    text,
                    created_at,
                },
            )
            .collect())
    }

    async fn merge_counts(
        &self,
        duplicate: Id,
    ) -> Result<app::domain::merge::MergeCounts, AppError> {
        super::merge::counts(self, duplicate).await
    }

    async fn volunteer_roles(
        &self,
        volunteer_id: Id,
    ) -> Result<Vec<app::domain::accounts::Role>, AppError> {
        super::merge::roles(self, volunteer_id).await
    }

    async fn merge_volunteers(&self, kept: Id, duplicate: Id) -> Result<(), AppError> {
        super::merge::merge(self, kept, duplicate).await
    }

    async fn search_register(
        &self,
        filter: &app::domain::register::RegisterFilter,
        scope: &app::domain::register::RegisterScope,
    ) -> Result<app::domain::register::RegisterPage, AppError> {
        super::register::search(self, filter, scope).await
    }

    async fn count_volunteers(&self) -> Result<i64, AppError> {
        sqlx::query_scalar("SELECT count(*) FROM volunteers")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }
}

/// Stores a new volunteer with their diets, inside the caller's transaction.
pub(crate) async fn insert_volunteer(
    tx: &mut sqlx::Transaction<'static, Db>,
    new: &NewVolunteer,
    now: i64,
) -> Result<Id, AppError> {
    let (consent_at, consent_version) = match &new.consent {
        Some((at, version)) => (Some(*at), Some(version.clone())),
        None => (None, None),
    };
    let id: Id = sqlx::query_scalar(
        "INSERT INTO volunteers (name, birth_date, email, phone, address, postal_code, city, municipality_code,
             citizenship, under_guardianship, language, consent_at, consent_version, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(&new.name)
    .bind(new.birth_date)
    .bind(new.email.as_str())
    .bind(new.phone.as_str())
    .bind(&new.address)
    .bind(&new.postal_code)
    .bind(&new.city)
    .bind(&new.municipality_code)
    .bind(new.citizenship.as_str())
    .bind(new.under_guardianship)
    .bind(new.language.as_str())
    .bind(consent_at)
    .bind(consent_version)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_error)?;
    set_diets(tx, id, &new.diet_ids).await?;
    Ok(id)
}

/// A person's special diets become exactly `diet_ids`.
async fn set_diets(
    tx: &mut sqlx::Transaction<'static, Db>,
    volunteer_id: Id,
    diet_ids: &[Id],
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM volunteer_diets WHERE volunteer_id = $1")
        .bind(volunteer_id)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    for diet in diet_ids {
        sqlx::query("INSERT INTO volunteer_diets (volunteer_id, diet_id) VALUES ($1, $2)")
            .bind(volunteer_id)
            .bind(diet)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
    }
    Ok(())
}

/// What is left of a person elsewhere once their account goes: audit rows
/// keep what happened but say "person #id" for who (their address, name and
/// phone are replaced wherever they were written), messages to staff about
/// them lose their name, and rate-limit rows of their address and number go.
async fn forget_traces(
    tx: &mut sqlx::Transaction<'static, Db>,
    volunteer_id: Id,
) -> Result<(), AppError> {
    let person: Option<(String, String, String)> =
        sqlx::query_as("SELECT name, email, phone FROM volunteers WHERE id = $1")
            .bind(volunteer_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_error)?;
    let Some((name, email, phone)) = person else {
        return Ok(());
    };
    let alias = app::domain::audit::person_alias(volunteer_id);
    let run = |sql: &'static str| sqlx::query(sql);
    run("UPDATE audit_log SET actor = $2
         WHERE actor_user_id IN (SELECT id FROM users WHERE volunteer_id = $1)")
    .bind(volunteer_id)
    .bind(&alias)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    // An address or a phone number is replaced wherever it stands; a name
    // only where it is the whole field or a full name, so "Bo" does not
    // rewrite "Bolig".
    let mut anywhere = vec![email.clone()];
    if phone.len() > 3 {
        anywhere.push(phone.clone());
    }
    if name.trim().contains(' ') {
        anywhere.push(name.clone());
    }
    for text in &anywhere {
        run("UPDATE audit_log SET actor = replace(actor, $1, $2),
                 subject = replace(subject, $1, $2), detail = replace(detail, $1, $2)
             WHERE replace(actor, $1, '') <> actor OR replace(subject, $1, '') <> subject
                OR replace(detail, $1, '') <> detail")
        .bind(text)
        .bind(&alias)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
        run("UPDATE outbox SET last_error = replace(last_error, $1, $2) WHERE replace(last_error, $1, '') <> last_error")
            .bind(text)
            .bind(&alias)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        run("UPDATE outbox_attempts SET error = replace(error, $1, $2) WHERE replace(error, $1, '') <> error")
            .bind(text)
            .bind(&alias)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
    }
    run(
        "UPDATE audit_log SET subject = CASE WHEN subject = $1 THEN $2 ELSE subject END,
             detail = CASE WHEN detail = $1 THEN $2 ELSE detail END
         WHERE subject = $1 OR detail = $1",
    )
    .bind(&name)
    .bind(&alias)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    // Messages to staff carry the name as a JSON string value.
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
    for text in [&name, &email, &phone] {
        run("UPDATE outbox SET params = replace(params, $1, $2) WHERE replace(params, $1, '') <> params")
            .bind(quoted(text))
            .bind(quoted(&alias))
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
    }
    // Per-address buckets, overall and per network address (`…:<client>`);
    // compared by prefix, since `_` in an address would be a LIKE wildcard.
    run("DELETE FROM rate_events WHERE bucket IN ($1, $2)
             OR substr(bucket, 1, length($3)) = $3 OR substr(bucket, 1, length($4)) = $4
             OR bucket IN (SELECT 'passkey:account:' || id FROM users WHERE volunteer_id = $5)")
    .bind(format!("link:address:{email}"))
    .bind(format!("code:number:{phone}"))
    .bind(format!("link:address:{email}:"))
    .bind(format!("code:number:{phone}:"))
    .bind(volunteer_id)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// Whether the person keeps a private calendar address.
pub(super) async fn has_calendar_feed_on(
    conn: &mut <Db as sqlx::Database>::Connection,
    volunteer_id: Id,
) -> Result<bool, AppError> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM calendar_feeds WHERE volunteer_id = $1)")
        .bind(volunteer_id)
        .fetch_one(conn)
        .await
        .map_err(db_error)
}
