use super::Storage;
use crate::storage::db_error;
use app::domain::answers::{AnswerKind, AnswerLink};
use app::domain::{AppError, Id};
use app::server::storage::AnswerStore;
use async_trait::async_trait;

/// 30 days: the longest a link lives when an invitation has no deadline.
const WITHOUT_DEADLINE_SECS: i64 = 30 * 86_400;

#[async_trait]
impl AnswerStore for Storage {
    async fn create_answer_link(
        &self,
        token_hash: &str,
        seat_id: Id,
        volunteer_id: Id,
        now: i64,
    ) -> Result<Option<i64>, AppError> {
        let mut tx = self.write().await?;
        let invitation: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT invited_at, respond_by FROM seats
             WHERE id = $1 AND status = 'invited' AND volunteer_id = $2",
        )
        .bind(seat_id)
        .bind(volunteer_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let offer = match invitation {
            Some((invited_at, respond_by)) => Some((
                AnswerKind::Invitation,
                invited_at,
                respond_by.unwrap_or(now + WITHOUT_DEADLINE_SECS),
            )),
            None => sqlx::query_as::<_, (Id, i64)>(
                "SELECT c.id, c.expires_at FROM cover_calls c
                 JOIN cover_offers o ON o.call_id = c.id AND o.volunteer_id = $2
                 JOIN seats s ON s.id = c.seat_id AND s.status = 'open'
                 WHERE c.seat_id = $1 AND c.closed_at IS NULL AND c.expires_at > $3
                   AND o.declined_at IS NULL",
            )
            .bind(seat_id)
            .bind(volunteer_id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?
            .map(|(call, expires)| (AnswerKind::Cover, call, expires)),
        };
        let Some((kind, bound_to, expires_at)) = offer.filter(|o| o.2 > now) else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO answer_links
                 (token_hash, volunteer_id, seat_id, kind, bound_to, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash)
        .bind(volunteer_id)
        .bind(seat_id)
        .bind(kind.as_str())
        .bind(bound_to)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(Some(expires_at))
    }

    async fn answer_link(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<AnswerLink>, AppError> {
        // The offer must still be the one the link was made for: the same
        // invitation (not a later one to the same person), or the same open
        // call that they have not said no to.
        let row: Option<(Id, Id, String, i64)> = sqlx::query_as(
            "SELECT l.volunteer_id, l.seat_id, l.kind, l.expires_at
             FROM answer_links l JOIN seats s ON s.id = l.seat_id
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2
               AND ((l.kind = 'invitation' AND s.status = 'invited'
                     AND s.volunteer_id = l.volunteer_id AND s.invited_at = l.bound_to)
                 OR (l.kind = 'cover' AND s.status = 'open' AND EXISTS (
                     SELECT 1 FROM cover_calls c
                     JOIN cover_offers o ON o.call_id = c.id AND o.volunteer_id = l.volunteer_id
                     WHERE c.id = l.bound_to AND c.closed_at IS NULL AND c.expires_at > $2
                       AND o.declined_at IS NULL)))",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(row.and_then(|(volunteer_id, seat_id, kind, expires_at)| {
            Some(AnswerLink {
                volunteer_id,
                seat_id,
                kind: AnswerKind::parse(&kind)?,
                expires_at,
            })
        }))
    }

    async fn spend_answer_links(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        now: i64,
    ) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE answer_links SET used_at = $3
             WHERE seat_id = $1 AND volunteer_id = $2 AND used_at IS NULL",
        )
        .bind(seat_id)
        .bind(volunteer_id)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}
