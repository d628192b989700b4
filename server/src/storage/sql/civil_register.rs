use super::{one_row, Storage};
use crate::storage::db_error;
use app::domain::cpr::{CprNumber, CprRecord, EligibilityFlag, RegisterFacts};
use app::domain::volunteers::Citizenship;
use app::domain::{AppError, Id};
use app::server::storage::CivilRegisterStore;
use async_trait::async_trait;
use chrono::NaiveDate;

/// The register's facts of `volunteer_cpr c`, named as [`FactsRow`] reads
/// them, for any query that joins the table.
pub(super) const FACTS: &str = "c.looked_up_at AS cpr_looked_up_at, c.name AS cpr_name,
    c.status AS cpr_status,
    c.birth_date AS cpr_birth_date, c.citizenship AS cpr_citizenship,
    c.country_code AS cpr_country_code, c.municipality_code AS cpr_municipality_code,
    c.under_guardianship AS cpr_under_guardianship,
    c.address_protected AS cpr_address_protected, c.digital_post AS cpr_digital_post";

#[derive(sqlx::FromRow, Default)]
pub(super) struct FactsRow {
    cpr_looked_up_at: Option<i64>,
    cpr_name: Option<String>,
    cpr_status: Option<String>,
    cpr_birth_date: Option<NaiveDate>,
    cpr_citizenship: Option<String>,
    cpr_country_code: Option<String>,
    cpr_municipality_code: Option<String>,
    cpr_under_guardianship: Option<bool>,
    cpr_address_protected: Option<bool>,
    cpr_digital_post: Option<bool>,
}

impl FactsRow {
    /// The facts, when the last lookup found the person.
    pub(super) fn facts(self) -> Option<RegisterFacts> {
        Some(RegisterFacts {
            looked_up_at: self.cpr_looked_up_at?,
            name: self.cpr_name.unwrap_or_default(),
            status: self.cpr_status?,
            birth_date: self.cpr_birth_date,
            citizenship: Citizenship::parse(&self.cpr_citizenship?)?,
            country_code: self.cpr_country_code,
            municipality_code: self.cpr_municipality_code,
            under_guardianship: self.cpr_under_guardianship.unwrap_or(false),
            address_protected: self.cpr_address_protected.unwrap_or(false),
            digital_post: self.cpr_digital_post.unwrap_or(true),
        })
    }
}

#[derive(sqlx::FromRow)]
struct FlagRow {
    election_id: Id,
    area_id: Id,
    station_id: Id,
    station: String,
    seat_id: Id,
    volunteer_id: Id,
    name: String,
    reason: String,
    flagged_at: i64,
}

impl From<FlagRow> for EligibilityFlag {
    fn from(r: FlagRow) -> Self {
        EligibilityFlag {
            election_id: r.election_id,
            area_id: r.area_id,
            station_id: r.station_id,
            station: r.station,
            seat_id: r.seat_id,
            volunteer_id: r.volunteer_id,
            name: r.name,
            reason: r.reason,
            at: r.flagged_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    cpr: String,
    stored_at: i64,
    lookup_failure: Option<String>,
    #[sqlx(flatten)]
    facts: FactsRow,
}

impl Storage {
    /// What the register said of a person at the last lookup that found them.
    pub(super) async fn register_facts(
        &self,
        volunteer_id: Id,
    ) -> Result<Option<RegisterFacts>, AppError> {
        let row: Option<FactsRow> = sqlx::query_as(&format!(
            "SELECT {FACTS} FROM volunteer_cpr c WHERE c.volunteer_id = $1"
        ))
        .bind(volunteer_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(row.and_then(FactsRow::facts))
    }
}

#[async_trait]
impl CivilRegisterStore for Storage {
    async fn cpr_record(
        &self,
        volunteer_id: Id,
    ) -> Result<Option<(CprNumber, CprRecord)>, AppError> {
        let row: Option<RecordRow> = sqlx::query_as(&format!(
            "SELECT c.cpr, c.stored_at, c.lookup_failure, {FACTS}
             FROM volunteer_cpr c WHERE c.volunteer_id = $1"
        ))
        .bind(volunteer_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        // Stored only once parsed: a number that no longer parses is a
        // damaged row, not the person's to see.
        let cpr = CprNumber::parse("cpr", &row.cpr).map_err(|_| AppError::Server)?;
        let looked_up_at = row.facts.cpr_looked_up_at;
        let record = CprRecord {
            masked: cpr.masked(),
            stored_at: row.stored_at,
            looked_up_at,
            failure: row.lookup_failure,
            facts: row.facts.facts(),
        };
        Ok(Some((cpr, record)))
    }

    async fn set_cpr(&self, volunteer_id: Id, cpr: &CprNumber, now: i64) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT cpr FROM volunteer_cpr WHERE volunteer_id = $1")
                .bind(volunteer_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        if current.as_deref() == Some(cpr.digits()) {
            return Ok(());
        }
        sqlx::query("DELETE FROM volunteer_cpr WHERE volunteer_id = $1")
            .bind(volunteer_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO volunteer_cpr (volunteer_id, cpr, stored_at)
             SELECT id, $2, $3 FROM volunteers WHERE id = $1 AND anonymised_at IS NULL",
        )
        .bind(volunteer_id)
        .bind(cpr.digits())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)
        .and_then(one_row)?;
        tx.commit().await.map_err(db_error)
    }

    async fn remove_cpr(&self, volunteer_id: Id) -> Result<(), AppError> {
        sqlx::query("DELETE FROM volunteer_cpr WHERE volunteer_id = $1")
            .bind(volunteer_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn record_cpr_lookup(
        &self,
        volunteer_id: Id,
        cpr: &CprNumber,
        outcome: Result<&RegisterFacts, &str>,
        at: i64,
    ) -> Result<(), AppError> {
        let query = match outcome {
            Ok(facts) => sqlx::query(
                "UPDATE volunteer_cpr SET looked_up_at = $3, lookup_failure = NULL,
                    status = $4, birth_date = $5, citizenship = $6, country_code = $7,
                    municipality_code = $8, under_guardianship = $9, address_protected = $10,
                    digital_post = $11, name = $12
                 WHERE volunteer_id = $1 AND cpr = $2",
            )
            .bind(volunteer_id)
            .bind(cpr.digits())
            .bind(at)
            .bind(&facts.status)
            .bind(facts.birth_date)
            .bind(facts.citizenship.as_str())
            .bind(&facts.country_code)
            .bind(&facts.municipality_code)
            .bind(facts.under_guardianship)
            .bind(facts.address_protected)
            .bind(facts.digital_post)
            .bind(&facts.name),
            Err(failure) => sqlx::query(
                "UPDATE volunteer_cpr SET looked_up_at = $3, lookup_failure = $4,
                    name = NULL, status = NULL, birth_date = NULL, citizenship = NULL, country_code = NULL,
                    municipality_code = NULL, under_guardianship = NULL,
                    address_protected = NULL, digital_post = NULL
                 WHERE volunteer_id = $1 AND cpr = $2",
            )
            .bind(volunteer_id)
            .bind(cpr.digits())
            .bind(at)
            .bind(failure),
        };
        query.execute(&self.pool).await.map_err(db_error)?;
        Ok(())
    }

    async fn set_eligibility_flags(
        &self,
        volunteer_id: Id,
        flags: &[(Id, String)],
        now: i64,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let kept: Vec<Id> = flags.iter().map(|(seat, _)| *seat).collect();
        sqlx::query(&format!(
            "DELETE FROM eligibility_flags WHERE volunteer_id = $1
               AND seat_id NOT IN ({})",
            super::dialect::ids("$2")
        ))
        .bind(volunteer_id)
        .bind(super::id_array(&kept))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        for (seat_id, reason) in flags {
            // A flag already raised keeps its time; its reason may change.
            sqlx::query(
                "INSERT INTO eligibility_flags (seat_id, volunteer_id, reason, flagged_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (seat_id, volunteer_id) DO UPDATE SET reason = excluded.reason",
            )
            .bind(seat_id)
            .bind(volunteer_id)
            .bind(reason)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn eligibility_flags(&self, election_id: Id) -> Result<Vec<EligibilityFlag>, AppError> {
        let rows: Vec<FlagRow> = sqlx::query_as(
            "SELECT s.election_id, st.area_id, s.station_id, st.name AS station, s.id AS seat_id,
                    v.id AS volunteer_id, v.name, f.reason, f.flagged_at
             FROM eligibility_flags f
             JOIN seats s ON s.id = f.seat_id AND s.volunteer_id = f.volunteer_id
             JOIN stations st ON st.id = s.station_id
             JOIN volunteers v ON v.id = f.volunteer_id
             WHERE s.election_id = $1
             ORDER BY f.flagged_at DESC, s.id",
        )
        .bind(election_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows.into_iter().map(EligibilityFlag::from).collect())
    }

    async fn cpr_due(
        &self,
        from: NaiveDate,
        looked_up_before: i64,
        limit: i64,
    ) -> Result<Vec<Id>, AppError> {
        sqlx::query_scalar(
            "SELECT c.volunteer_id FROM volunteer_cpr c
             WHERE (c.looked_up_at IS NULL OR c.looked_up_at < $2)
               AND EXISTS (SELECT 1 FROM seats s JOIN elections e ON e.id = s.election_id
                           WHERE s.volunteer_id = c.volunteer_id AND s.day >= $1 AND e.active)
             ORDER BY c.looked_up_at IS NOT NULL, c.looked_up_at, c.volunteer_id
             LIMIT $3",
        )
        .bind(from)
        .bind(looked_up_before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn digital_post_reachable(
        &self,
        volunteer_ids: &[Id],
    ) -> Result<std::collections::HashSet<Id>, AppError> {
        if volunteer_ids.is_empty() {
            return Ok(Default::default());
        }
        let ids: Vec<Id> = sqlx::query_scalar(&format!(
            "SELECT volunteer_id FROM volunteer_cpr
             WHERE volunteer_id IN ({}) AND coalesce(digital_post, true)",
            super::dialect::ids("$1")
        ))
        .bind(super::id_array(volunteer_ids))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(ids.into_iter().collect())
    }

    async fn digital_post_exempt(&self) -> Result<Vec<(Id, String)>, AppError> {
        sqlx::query_as(
            "SELECT v.id, v.name FROM volunteer_cpr c JOIN volunteers v ON v.id = c.volunteer_id
             WHERE c.digital_post = false ORDER BY v.name, v.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn cpr_numbers(
        &self,
        volunteer_ids: &[Id],
    ) -> Result<std::collections::HashMap<Id, CprNumber>, AppError> {
        if volunteer_ids.is_empty() {
            return Ok(Default::default());
        }
        let rows: Vec<(Id, String)> = sqlx::query_as(&format!(
            "SELECT volunteer_id, cpr FROM volunteer_cpr WHERE volunteer_id IN ({})",
            super::dialect::ids("$1")
        ))
        .bind(super::id_array(volunteer_ids))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        // A number stored before is valid; one that is not is left out.
        Ok(rows
            .into_iter()
            .filter_map(|(id, cpr)| Some((id, CprNumber::parse("cpr", &cpr).ok()?)))
            .collect())
    }
}
