use super::Db;
use super::{one_row, Storage};
use crate::notifications::queue::{Claimed, OutboxQueue, PushTarget, Recipient};
use crate::storage::db_error;
use app::domain::notifications::{
    Channel, MessageKind, MessageRecord, Params, PushDevice, StoredTemplate, Template,
};
use app::domain::{AppError, Id};
use app::server::storage::{NewMessage, NewPushSubscription, NotificationStore};
use async_trait::async_trait;

#[async_trait]
impl NotificationStore for Storage {
    async fn server_key(&self, name: &str, fresh: &str, now: i64) -> Result<String, AppError> {
        if let Some(key) = self
            .keys
            .lock()
            .ok()
            .and_then(|keys| keys.get(name).cloned())
        {
            return Ok(key);
        }
        // Read first: only the very first use of a key writes.
        let stored: Option<String> =
            sqlx::query_scalar("SELECT value FROM server_keys WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error)?;
        let key = match stored {
            Some(key) => key,
            // Another server may make it at the same moment: theirs or ours,
            // whichever was first, is the one returned.
            None => sqlx::query_scalar(
                "INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET name = excluded.name
                 RETURNING value",
            )
            .bind(name)
            .bind(fresh)
            .bind(now)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?,
        };
        if let Ok(mut keys) = self.keys.lock() {
            keys.insert(name.to_string(), key.clone());
        }
        Ok(key)
    }

    async fn add_push_subscription(
        &self,
        user_id: Id,
        subscription: &NewPushSubscription,
        now: i64,
    ) -> Result<Id, AppError> {
        sqlx::query_scalar(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, device_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh,
                 auth = excluded.auth, device_name = excluded.device_name
             RETURNING id",
        )
        .bind(user_id)
        .bind(&subscription.endpoint)
        .bind(&subscription.p256dh)
        .bind(&subscription.auth)
        .bind(&subscription.device_name)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn list_push_devices(&self, user_id: Id) -> Result<Vec<PushDevice>, AppError> {
        let rows: Vec<(Id, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, device_name, created_at, last_success_at FROM push_subscriptions
             WHERE user_id = $1 ORDER BY created_at, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, created_at, last_success_at)| PushDevice {
                id,
                name,
                created_at,
                last_success_at,
            })
            .collect())
    }

    async fn delete_push_device(&self, user_id: Id, device_id: Id) -> Result<(), AppError> {
        let result = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2")
            .bind(device_id)
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn forget_push_devices(
        &self,
        user_id: Id,
        endpoint: Option<&str>,
    ) -> Result<u64, AppError> {
        sqlx::query(
            "DELETE FROM push_subscriptions WHERE user_id = $1 AND ($2 IS NULL OR endpoint = $2)",
        )
        .bind(user_id)
        .bind(endpoint)
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
        .map_err(db_error)
    }

    async fn enqueue(&self, message: &NewMessage, now: i64) -> Result<Id, AppError> {
        let mut tx = self.write().await?;
        let id = enqueue_in(&mut tx, message, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(id)
    }

    async fn enqueue_all(&self, messages: &[NewMessage], now: i64) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        for message in messages {
            enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn volunteers_with_push(&self) -> Result<Vec<Id>, AppError> {
        sqlx::query_scalar(
            "SELECT DISTINCT u.volunteer_id FROM push_subscriptions p
             JOIN users u ON u.id = p.user_id WHERE u.volunteer_id IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn list_messages(
        &self,
        volunteer_id: Option<Id>,
        areas: Option<&[Id]>,
        limit: i64,
    ) -> Result<Vec<MessageRecord>, AppError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Id,
            volunteer_id: Option<Id>,
            recipient: String,
            kind: String,
            status: String,
            channel: Option<String>,
            attempts: i64,
            last_error: String,
            created_at: i64,
            sent_at: Option<i64>,
            transmission_id: Option<String>,
        }
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT o.id, o.volunteer_id, coalesce(v.name, u.name, '') AS recipient, o.kind, o.status,
                    o.channel, o.attempts, o.last_error, o.created_at, o.sent_at, o.transmission_id
             FROM outbox o
             LEFT JOIN volunteers v ON v.id = o.volunteer_id
             LEFT JOIN users u ON u.id = o.user_id
             WHERE ($1 IS NULL OR o.volunteer_id = $1)
               AND ($3 IS NULL OR EXISTS (
                   SELECT 1 FROM seats s JOIN stations st ON st.id = s.station_id
                   WHERE s.volunteer_id = o.volunteer_id
                     AND st.area_id IN ({})))
             ORDER BY o.id DESC LIMIT $2",
            super::dialect::ids("$3")
        ))
        .bind(volunteer_id)
        .bind(limit)
        .bind(areas.map(super::id_array))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(MessageRecord {
                    id: r.id,
                    volunteer_id: r.volunteer_id,
                    recipient: r.recipient,
                    kind: MessageKind::parse(&r.kind)?,
                    status: r.status,
                    channel: r.channel.as_deref().and_then(Channel::parse),
                    attempts: r.attempts,
                    last_error: r.last_error,
                    created_at: r.created_at,
                    sent_at: r.sent_at,
                    transmission_id: r.transmission_id,
                })
            })
            .collect())
    }

    async fn message_volunteer(&self, message_id: Id) -> Result<Option<Id>, AppError> {
        let row: Option<Option<Id>> =
            sqlx::query_scalar("SELECT volunteer_id FROM outbox WHERE id = $1")
                .bind(message_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error)?;
        row.ok_or(AppError::NotFound)
    }

    async fn volunteer_in_areas(&self, volunteer_id: Id, areas: &[Id]) -> Result<bool, AppError> {
        sqlx::query_scalar(&format!(
            "SELECT EXISTS (SELECT 1 FROM seats s JOIN stations st ON st.id = s.station_id
                 WHERE s.volunteer_id = $1 AND st.area_id IN ({}))",
            super::dialect::ids("$2")
        ))
        .bind(volunteer_id)
        .bind(super::id_array(areas))
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn resend_message(&self, id: Id, now: i64) -> Result<(), AppError> {
        let result = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, lease_until = NULL
             WHERE id = $1 AND status = 'failed'",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        if result.rows_affected() == 0 {
            return Err(AppError::refused("messages.not_failed"));
        }
        Ok(())
    }

    async fn set_channels(&self, volunteer_id: Id, channels: &[Channel]) -> Result<(), AppError> {
        let result = sqlx::query("UPDATE volunteers SET channels = $2 WHERE id = $1")
            .bind(volunteer_id)
            .bind(Channel::list_to_string(channels))
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn find_template(
        &self,
        election_id: Id,
        task_type_id: Option<Id>,
        kind: MessageKind,
        channel: Channel,
        language: &str,
    ) -> Result<Option<Template>, AppError> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT subject, body FROM message_templates
             WHERE election_id = $1 AND kind = $3 AND channel = $4 AND language = $5
               AND (task_type_id IS NULL OR task_type_id = $2)
             ORDER BY task_type_id IS NULL LIMIT 1",
        )
        .bind(election_id)
        .bind(task_type_id)
        .bind(kind.as_str())
        .bind(channel.as_str())
        .bind(language)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(row.map(|(subject, body)| Template { subject, body }))
    }

    async fn list_templates(&self, election_id: Id) -> Result<Vec<StoredTemplate>, AppError> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(Id, Option<Id>, String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, task_type_id, kind, channel, language, subject, body, updated_at
             FROM message_templates WHERE election_id = $1 ORDER BY kind, channel, language, task_type_id",
        )
        .bind(election_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .filter_map(
                |(id, task_type_id, kind, channel, language, subject, body, updated_at)| {
                    Some(StoredTemplate {
                        id,
                        task_type_id,
                        kind: MessageKind::parse(&kind)?,
                        channel: Channel::parse(&channel)?,
                        language,
                        subject,
                        body,
                        updated_at,
                    })
                },
            )
            .collect())
    }

    async fn save_template(
        &self,
        election_id: Id,
        t: &StoredTemplate,
        now: i64,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "DELETE FROM message_templates WHERE election_id = $1 AND coalesce(task_type_id, 0) = coalesce($2, 0)
               AND kind = $3 AND channel = $4 AND language = $5",
        )
        .bind(election_id)
        .bind(t.task_type_id)
        .bind(t.kind.as_str())
        .bind(t.channel.as_str())
        .bind(&t.language)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO message_templates (election_id, task_type_id, kind, channel, language, subject, body, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(election_id)
        .bind(t.task_type_id)
        .bind(t.kind.as_str())
        .bind(t.channel.as_str())
        .bind(&t.language)
        .bind(&t.subject)
        .bind(&t.body)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn delete_template(&self, election_id: Id, id: Id) -> Result<(), AppError> {
        let result =
            sqlx::query("DELETE FROM message_templates WHERE id = $1 AND election_id = $2")
                .bind(id)
                .bind(election_id)
                .execute(&self.pool)
                .await
                .map_err(db_error)?;
        one_row(result)
    }
}

/// Writes a message to the outbox inside the caller's transaction, so the
/// message exists exactly when the change that caused it does.
pub(crate) async fn enqueue_in(
    tx: &mut sqlx::Transaction<'static, Db>,
    message: &NewMessage,
    now: i64,
) -> Result<Id, AppError> {
    let params = serde_json::to_string(&message.params).map_err(|_| AppError::Server)?;
    sqlx::query(
        "INSERT INTO outbox (idempotency_key, user_id, volunteer_id, kind, election_id, task_type_id,
             seat_id, params, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&message.idempotency_key)
    .bind(message.user_id)
    .bind(message.volunteer_id)
    .bind(message.kind.as_str())
    .bind(message.election_id)
    .bind(message.task_type_id)
    .bind(message.seat_id)
    .bind(params)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    sqlx::query_scalar("SELECT id FROM outbox WHERE idempotency_key = $1")
        .bind(&message.idempotency_key)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_error)
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    idempotency_key: String,
    kind: String,
    election_id: Option<i64>,
    task_type_id: Option<i64>,
    seat_id: Option<i64>,
    params: String,
    attempts: i64,
    volunteer_id: Option<i64>,
    user_id: Option<i64>,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    language: String,
    channels: String,
    cpr: Option<String>,
    digital_post: Option<bool>,
}

#[async_trait]
impl OutboxQueue for Storage {
    async fn claim_due(
        &self,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, AppError> {
        // Several workers (servers) may claim at once: each takes rows
        // nobody else is claiming (`SKIP_LOCKED`), so a message goes to one.
        let ids: Vec<Id> = sqlx::query_scalar(&format!(
            "UPDATE outbox SET status = 'sending', lease_until = $1 + $2, attempts = attempts + 1
             WHERE id IN (
                 SELECT id FROM outbox
                 WHERE (status = 'pending' AND next_attempt_at <= $1)
                    OR (status = 'sending' AND lease_until <= $1)
                 ORDER BY next_attempt_at, id LIMIT $3{})
             RETURNING id",
            super::dialect::SKIP_LOCKED
        ))
        .bind(now)
        .bind(lease_secs)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // The recipient: the volunteer (and their user account, for push), or
        // a user without a volunteer record (email only).
        let rows: Vec<ClaimedRow> = sqlx::query_as(&format!(
            "SELECT o.id, o.idempotency_key, o.kind, o.election_id, o.task_type_id, o.seat_id, o.params,
                    o.attempts, o.volunteer_id,
                    coalesce(o.user_id, (SELECT id FROM users WHERE volunteer_id = o.volunteer_id)) AS user_id,
                    coalesce(v.name, u.name, '') AS name,
                    coalesce(v.email, u.email) AS email,
                    v.phone AS phone,
                    coalesce(v.language, 'da') AS language,
                    coalesce(v.channels, 'push,email') AS channels,
                    c.cpr, c.digital_post
             FROM outbox o
             LEFT JOIN volunteers v ON v.id = o.volunteer_id
             LEFT JOIN volunteer_cpr c ON c.volunteer_id = o.volunteer_id
             LEFT JOIN users u ON u.id = o.user_id
             WHERE o.id IN ({}) ORDER BY o.id",
            super::dialect::ids("$1")
        ))
        .bind(super::id_array(&ids))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let push: Vec<(Id, String, String, String)> = match row.user_id {
                Some(user) => sqlx::query_as(
                    "SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = $1 ORDER BY id",
                )
                .bind(user)
                .fetch_all(&self.pool)
                .await
                .map_err(db_error)?,
                None => Vec::new(),
            };
            let Some(kind) = MessageKind::parse(&row.kind) else {
                self.mark_failed(row.id, "unknown message kind").await?;
                continue;
            };
            claimed.push(Claimed {
                id: row.id,
                idempotency_key: row.idempotency_key,
                kind,
                election_id: row.election_id,
                task_type_id: row.task_type_id,
                seat_id: row.seat_id,
                volunteer_id: row.volunteer_id,
                params: serde_json::from_str::<Params>(&row.params).unwrap_or_default(),
                attempts: row.attempts,
                recipient: Recipient {
                    name: row.name,
                    email: row.email,
                    phone: row.phone,
                    language: row.language,
                    channels: Channel::parse_list(&row.channels),
                    cpr: row.cpr,
                    digital_post_exempt: row.digital_post == Some(false),
                    push: push
                        .into_iter()
                        .map(|(id, endpoint, p256dh, auth)| PushTarget {
                            id,
                            endpoint,
                            p256dh,
                            auth,
                        })
                        .collect(),
                },
            });
        }
        Ok(claimed)
    }

    async fn record_attempt(
        &self,
        id: Id,
        channel: Channel,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), AppError> {
        sqlx::query("INSERT INTO outbox_attempts (outbox_id, channel, at, ok, error) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(channel.as_str())
            .bind(now)
            .bind(error.is_none())
            .bind(error.unwrap_or_default())
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn mark_sent(
        &self,
        id: Id,
        channel: Channel,
        reference: Option<&str>,
        now: i64,
    ) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE outbox SET status = 'sent', channel = $2, sent_at = $3, lease_until = NULL, last_error = '',
                    transmission_id = $4
             WHERE id = $1",
        )
        .bind(id)
        .bind(channel.as_str())
        .bind(now)
        .bind(reference)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn mark_retry(&self, id: Id, error: &str, next_at: i64) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $3, lease_until = NULL, last_error = $2
             WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(next_at)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn mark_failed(&self, id: Id, error: &str) -> Result<(), AppError> {
        sqlx::query("UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = $2 WHERE id = $1")
            .bind(id)
            .bind(error)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn release(&self, id: Id) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE outbox SET status = 'pending', lease_until = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
             WHERE id = $1 AND status = 'sending'",
        )
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn push_delivered(&self, subscription_id: Id, now: i64) -> Result<(), AppError> {
        sqlx::query("UPDATE push_subscriptions SET last_success_at = $2 WHERE id = $1")
            .bind(subscription_id)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn drop_push_subscription(&self, subscription_id: Id) -> Result<(), AppError> {
        sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
            .bind(subscription_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn next_due_at(&self) -> Result<Option<i64>, AppError> {
        sqlx::query_scalar(
            "SELECT min(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END)
             FROM outbox WHERE status IN ('pending', 'sending')",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }
}
