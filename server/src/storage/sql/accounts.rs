use super::Db;
use super::{contains_pattern, now, one_row, Storage};
use crate::storage::db_error;
use app::domain::accounts::{
    CodeCheck, CurrentUser, PasskeyInfo, Role, ScopeGrant, ScopeKind, UserSummary,
};
use app::domain::audit::{AuditAction, AuditEntry, AuditRecord};
use app::domain::{AppError, Id};
use app::server::storage::{AccountStore, EmailChanged};
use async_trait::async_trait;

/// A session that is neither expired nor idle too long, of an active user
/// (`$1` the session's hash, `$2` now, `$3` the idle limit in seconds).
const LIVE_SESSION: &str = "FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.session_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $2 - $3
       AND u.active";

#[async_trait]
impl AccountStore for Storage {
    async fn ensure_user_with_role(
        &self,
        email: &str,
        name: &str,
        role: Role,
    ) -> Result<Id, AppError> {
        let mut tx = self.write().await?;
        let existing: Option<Id> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let id = match existing {
            Some(id) => id,
            None => sqlx::query_scalar(
                "INSERT INTO users (email, name, created_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(email)
            .bind(name)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?,
        };
        sqlx::query(
            "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(id)
    }

    async fn store_sign_in_token(
        &self,
        user_id: Id,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO sign_in_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn find_active_user(&self, email: &str) -> Result<Option<(Id, String)>, AppError> {
        sqlx::query_as("SELECT id, name FROM users WHERE email = $1 AND active")
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn sign_in_account(&self, email: &str) -> Result<Option<(Id, String)>, AppError> {
        let mut tx = self.write().await?;
        let user: Option<(Id, String, bool)> =
            sqlx::query_as("SELECT id, name, active FROM users WHERE email = $1")
                .bind(email)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        if let Some((id, name, active)) = user {
            return Ok(active.then_some((id, name)));
        }
        let volunteer: Option<Id> = sqlx::query_scalar(
            "SELECT id FROM volunteers
             WHERE email = $1 AND anonymised_at IS NULL AND deactivated_at IS NULL",
        )
        .bind(email)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some(volunteer_id) = volunteer else {
            return Ok(None);
        };
        let account = volunteer_account(&mut tx, volunteer_id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(account)
    }

    async fn sign_in_account_by_phone(
        &self,
        phone: &str,
    ) -> Result<Option<(Id, String)>, AppError> {
        let mut tx = self.write().await?;
        let holders: Vec<Id> = sqlx::query_scalar(
            "SELECT id FROM volunteers
             WHERE phone = $1 AND anonymised_at IS NULL AND deactivated_at IS NULL LIMIT 2",
        )
        .bind(phone)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        // A number shared by two people (a household) cannot tell whom to sign in.
        let [volunteer_id] = holders[..] else {
            return Ok(None);
        };
        let account = volunteer_account(&mut tx, volunteer_id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(account)
    }

    async fn store_sign_in_code(
        &self,
        phone: &str,
        user_id: Id,
        code_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE sign_in_codes SET used_at = $2 WHERE phone = $1 AND used_at IS NULL")
            .bind(phone)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO sign_in_codes (phone, user_id, code_hash, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(phone)
        .bind(user_id)
        .bind(code_hash)
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn try_sign_in_code(
        &self,
        phone: &str,
        code_hash: &str,
        now: i64,
        max_tries: i64,
    ) -> Result<CodeCheck, AppError> {
        let mut tx = self.write().await?;
        let live: Option<(Id, Id, String, i64)> = sqlx::query_as(
            "SELECT id, user_id, code_hash, tries FROM sign_in_codes
             WHERE phone = $1 AND used_at IS NULL AND expires_at > $2 AND tries < $3
             ORDER BY id DESC LIMIT 1",
        )
        .bind(phone)
        .bind(now)
        .bind(max_tries)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some((id, user_id, stored, tries)) = live else {
            return Ok(CodeCheck::NoCode);
        };
        let check = if stored == code_hash {
            sqlx::query("UPDATE sign_in_codes SET used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let active: bool = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?
                .unwrap_or(false);
            if active {
                CodeCheck::SignedIn(user_id)
            } else {
                CodeCheck::NoCode
            }
        } else {
            sqlx::query("UPDATE sign_in_codes SET tries = tries + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            CodeCheck::Wrong {
                tries_left: max_tries - tries - 1,
            }
        };
        tx.commit().await.map_err(db_error)?;
        Ok(check)
    }

    async fn allow_attempt(
        &self,
        bucket: &str,
        now: i64,
        window_secs: i64,
        max: i64,
    ) -> Result<bool, AppError> {
        let mut tx = self.write().await?;
        // Old attempts of this bucket no longer count; forget them.
        sqlx::query("DELETE FROM rate_events WHERE bucket = $1 AND at <= $2")
            .bind(bucket)
            .bind(now - window_secs)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let recent: i64 = sqlx::query_scalar("SELECT count(*) FROM rate_events WHERE bucket = $1")
            .bind(bucket)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        if recent >= max {
            return Ok(false);
        }
        sqlx::query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)")
            .bind(bucket)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(true)
    }

    async fn consume_sign_in_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Id>, AppError> {
        // One statement: two browsers racing for the same link cannot both win.
        sqlx::query_scalar(
            "UPDATE sign_in_tokens SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
               AND user_id IN (SELECT id FROM users WHERE active)
             RETURNING user_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn peek_sign_in_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<String>, AppError> {
        sqlx::query_scalar(
            "SELECT u.email FROM sign_in_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2 AND u.active",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn create_session(
        &self,
        session_hash: &str,
        user_id: Id,
        now: i64,
        expires_at: i64,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO sessions (session_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(session_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn session_ends(
        &self,
        session_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<(Id, i64)>, AppError> {
        sqlx::query_as(&format!(
            "SELECT s.user_id, CASE WHEN s.expires_at < s.last_seen_at + $3
                 THEN s.expires_at ELSE s.last_seen_at + $3 END {LIVE_SESSION}"
        ))
        .bind(session_hash)
        .bind(now)
        .bind(idle_secs)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn session_user(
        &self,
        session_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<CurrentUser>, AppError> {
        // One statement for the session, the roles and every scope: this runs
        // for every signed-in request.
        let user: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT s.user_id, u.email, u.name, u.volunteer_id, s.last_seen_at, s.created_at,
                 s.expires_at,
                 (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = s.user_id),
                 (SELECT string_agg(CAST(c.area_id AS TEXT), ',' ORDER BY a.name)
                    FROM coordinator_areas c JOIN areas a ON a.id = c.area_id
                   WHERE c.user_id = s.user_id),
                 (SELECT string_agg(CAST(m.station_id AS TEXT), ',' ORDER BY st.name)
                    FROM managed_stations m JOIN stations st ON st.id = m.station_id
                   WHERE m.user_id = s.user_id),
                 (SELECT string_agg(CAST(l.team_id AS TEXT), ',' ORDER BY t.name)
                    FROM led_teams l JOIN teams t ON t.id = l.team_id
                   WHERE l.user_id = s.user_id),
                 (SELECT count(*) FROM seats w
                   WHERE w.volunteer_id = u.volunteer_id AND w.status = 'invited')
             {LIVE_SESSION}"
        ))
        .bind(session_hash)
        .bind(now)
        .bind(idle_secs)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some((
            id,
            email,
            name,
            volunteer_id,
            mut last_seen_at,
            signed_in_at,
            expires_at,
            roles,
            areas,
            stations,
            teams,
            waiting_invitations,
        )) = user
        else {
            return Ok(None);
        };
        // Only a session unseen for a while is written to: every other page
        // view stays a read and never queues for SQLite's one writer.
        if now - last_seen_at >= app::server::storage::SESSION_TOUCH_SECS {
            sqlx::query(
                "UPDATE sessions SET last_seen_at = $2 WHERE session_hash = $1 AND last_seen_at < $2",
            )
            .bind(session_hash)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
            last_seen_at = now;
        }
        let mut roles: Vec<Role> = listed(&roles).filter_map(Role::parse).collect();
        roles.sort_by_key(|r| r.as_str());
        let ids = |list: &Option<String>| -> Vec<Id> {
            listed(list).filter_map(|id| id.parse().ok()).collect()
        };
        Ok(Some(CurrentUser {
            id,
            email,
            name,
            roles,
            volunteer_id,
            areas: ids(&areas),
            stations: ids(&stations),
            teams: ids(&teams),
            signed_in_at,
            session_until: expires_at.min(last_seen_at + idle_secs),
            waiting_invitations,
        }))
    }

    async fn delete_session(&self, session_hash: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1")
            .bind(session_hash)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn passkey_handle(&self, user_id: Id) -> Result<String, AppError> {
        let fresh = uuid::Uuid::new_v4().to_string();
        // Set once; later calls read the same handle back.
        sqlx::query("UPDATE users SET passkey_handle = coalesce(passkey_handle, $2) WHERE id = $1")
            .bind(user_id)
            .bind(&fresh)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        sqlx::query_scalar("SELECT passkey_handle FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn store_ceremony(
        &self,
        key_hash: &str,
        kind: &str,
        user_id: Option<Id>,
        state: &str,
        expires_at: i64,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        // Expired ceremonies are of no use to anyone.
        sqlx::query("DELETE FROM ceremonies WHERE expires_at <= $1")
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query("INSERT INTO ceremonies (key_hash, kind, user_id, state, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(key_hash)
            .bind(kind)
            .bind(user_id)
            .bind(state)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn take_ceremony(
        &self,
        key_hash: &str,
        kind: &str,
        now: i64,
    ) -> Result<Option<(Option<Id>, String)>, AppError> {
        sqlx::query_as("DELETE FROM ceremonies WHERE key_hash = $1 AND kind = $2 AND expires_at > $3 RETURNING user_id, state")
            .bind(key_hash)
            .bind(kind)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn add_passkey(
        &self,
        user_id: Id,
        credential_id: &str,
        name: &str,
        data: &str,
        now: i64,
    ) -> Result<Id, AppError> {
        sqlx::query_scalar(
            "INSERT INTO passkeys (user_id, credential_id, name, data, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(credential_id)
        .bind(name)
        .bind(data)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn passkey_credential_ids(&self, user_id: Id) -> Result<Vec<String>, AppError> {
        sqlx::query_scalar("SELECT credential_id FROM passkeys WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn passkey_by_credential(
        &self,
        credential_id: &str,
    ) -> Result<Option<(Id, Id, String)>, AppError> {
        sqlx::query_as(
            "SELECT p.id, p.user_id, p.data FROM passkeys p JOIN users u ON u.id = p.user_id
             WHERE p.credential_id = $1 AND u.active",
        )
        .bind(credential_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn record_passkey_use(
        &self,
        passkey_id: Id,
        data: &str,
        now: i64,
    ) -> Result<(), AppError> {
        sqlx::query("UPDATE passkeys SET data = $2, last_used_at = $3 WHERE id = $1")
            .bind(passkey_id)
            .bind(data)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn list_passkeys(&self, user_id: Id) -> Result<Vec<PasskeyInfo>, AppError> {
        let rows: Vec<(Id, String, i64, Option<i64>)> =
            sqlx::query_as("SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at, id")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, created_at, last_used_at)| PasskeyInfo {
                id,
                name,
                created_at,
                last_used_at,
            })
            .collect())
    }

    async fn rename_passkey(
        &self,
        user_id: Id,
        passkey_id: Id,
        name: &str,
    ) -> Result<(), AppError> {
        let result = sqlx::query("UPDATE passkeys SET name = $3 WHERE id = $2 AND user_id = $1")
            .bind(user_id)
            .bind(passkey_id)
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn delete_passkey(&self, user_id: Id, passkey_id: Id) -> Result<(), AppError> {
        let result = sqlx::query("DELETE FROM passkeys WHERE id = $2 AND user_id = $1")
            .bind(user_id)
            .bind(passkey_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn delete_user_sessions(&self, user_id: Id) -> Result<(), AppError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn record_audit(&self, entry: &AuditEntry, now: i64) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_user_id, actor, action, subject, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now)
        .bind(entry.actor_user_id)
        .bind(&entry.actor)
        .bind(entry.action.as_str())
        .bind(&entry.subject)
        .bind(&entry.detail)
        .bind(&entry.ip)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn record_audit_since(
        &self,
        entry: &AuditEntry,
        since: i64,
        now: i64,
    ) -> Result<(), AppError> {
        let recent: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM audit_log
                 WHERE actor_user_id IS $1 AND action = $2 AND subject = $3 AND at >= $4)",
        )
        .bind(entry.actor_user_id)
        .bind(entry.action.as_str())
        .bind(&entry.subject)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        if recent {
            return Ok(());
        }
        self.record_audit(entry, now).await
    }

    async fn list_audit(
        &self,
        action: Option<AuditAction>,
        text: &str,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, AppError> {
        let pattern = contains_pattern(text);
        let rows: Vec<(Id, i64, String, String, String, String, String)> =
            sqlx::query_as(&format!(
                "SELECT id, at, actor, action, subject, detail, ip FROM audit_log
             WHERE ($1 IS NULL OR action = $1)
               AND (actor {like} $2 ESCAPE '\\' OR subject {like} $2 ESCAPE '\\'
                    OR ip {like} $2 ESCAPE '\\')
             ORDER BY at DESC, id DESC LIMIT $3",
                like = super::dialect::LIKE
            ))
            .bind(action.map(AuditAction::as_str))
            .bind(pattern)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(id, at, actor, action, subject, detail, ip)| AuditRecord {
                id,
                at,
                actor,
                action,
                subject,
                detail,
                ip,
            })
            .collect())
    }

    async fn list_users(&self, text: &str) -> Result<Vec<UserSummary>, AppError> {
        let pattern = contains_pattern(text);
        let rows: Vec<(Id, String, String, bool, Option<String>, Option<i64>)> = sqlx::query_as(&format!(
            "SELECT u.id, u.email, u.name, u.active,
                    (SELECT string_agg(role, ',') FROM user_roles r WHERE r.user_id = u.id),
                    (SELECT max(at) FROM audit_log a WHERE a.actor_user_id = u.id AND a.action = 'sign_in')
             FROM users u
             WHERE u.name {like} $1 ESCAPE '\\' OR u.email {like} $1 ESCAPE '\\'
             ORDER BY {name}, u.email LIMIT 500",
            like = super::dialect::LIKE,
            name = super::dialect::nocase("u.name"),
        ))
        .bind(pattern)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let mut users = Vec::with_capacity(rows.len());
        for (id, email, name, active, roles, last_sign_in) in rows {
            users.push(UserSummary {
                id,
                email,
                name,
                active,
                roles: roles
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(Role::parse)
                    .collect(),
                scopes: self.scope_grants(id).await?,
                last_sign_in,
            });
        }
        Ok(users)
    }

    async fn grant_role(&self, user_id: Id, role: Role) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(role.as_str())
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn link_volunteer(&self, user_id: Id, volunteer_id: Id) -> Result<(), AppError> {
        let result = sqlx::query("UPDATE users SET volunteer_id = $2 WHERE id = $1")
            .bind(user_id)
            .bind(volunteer_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn revoke_role(&self, user_id: Id, role: Role) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        if role == Role::Administrator && last_active_administrator(&mut tx, user_id).await? {
            return Err(AppError::refused("users.last_administrator"));
        }
        let result = sqlx::query("DELETE FROM user_roles WHERE user_id = $1 AND role = $2")
            .bind(user_id)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        one_row(result)?;
        // A role granted again later starts afresh, without old limits.
        for kind in ScopeKind::ALL.into_iter().filter(|k| k.role() == role) {
            let (table, _) = scope_table(kind);
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn grant_scope(
        &self,
        user_id: Id,
        kind: ScopeKind,
        target_id: Id,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let holds_role: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM user_roles WHERE user_id = $1 AND role = $2)",
        )
        .bind(user_id)
        .bind(kind.role().as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if !holds_role {
            return Err(AppError::refused("users.scope_needs_role"));
        }
        let (table, column) = scope_table(kind);
        sqlx::query(&format!(
            "INSERT INTO {table} (user_id, {column}) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        ))
        .bind(user_id)
        .bind(target_id)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn revoke_scope(
        &self,
        user_id: Id,
        kind: ScopeKind,
        target_id: Id,
    ) -> Result<(), AppError> {
        let (table, column) = scope_table(kind);
        // Counting and deleting under one write lock: two revocations at once
        // cannot both see two areas and leave none.
        let mut tx = self.write().await?;
        if kind == ScopeKind::Area {
            // No areas means the whole municipality: taking the last one
            // away would widen a coordinator's reach, not narrow it.
            let areas: i64 =
                sqlx::query_scalar("SELECT count(*) FROM coordinator_areas WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
            if areas == 1 {
                return Err(AppError::refused("users.last_area"));
            }
        }
        let result = sqlx::query(&format!(
            "DELETE FROM {table} WHERE user_id = $1 AND {column} = $2"
        ))
        .bind(user_id)
        .bind(target_id)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        one_row(result)?;
        tx.commit().await.map_err(db_error)
    }

    async fn store_email_change(
        &self,
        user_id: Id,
        token_hash: &str,
        new_email: &str,
        expires_at: i64,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        if email_in_use(&mut tx, new_email).await? {
            return Err(AppError::invalid("email", "error.taken"));
        }
        sqlx::query("DELETE FROM email_changes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "INSERT INTO email_changes (token_hash, user_id, new_email, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(new_email)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn confirm_email_change(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<EmailChanged>, AppError> {
        let mut tx = self.write().await?;
        let change: Option<(Id, String)> = sqlx::query_as(
            "DELETE FROM email_changes WHERE token_hash = $1 AND expires_at > $2
             RETURNING user_id, new_email",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some((user_id, email)) = change else {
            return Ok(None);
        };
        // Taken by someone else since it was asked for.
        if email_in_use(&mut tx, &email).await? {
            tx.commit().await.map_err(db_error)?;
            return Err(AppError::invalid("email", "error.taken"));
        }
        let (old_email, name): (String, String) =
            sqlx::query_as("SELECT email, name FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
        sqlx::query("UPDATE users SET email = $2 WHERE id = $1")
            .bind(user_id)
            .bind(&email)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        sqlx::query(
            "UPDATE volunteers SET email = $2 WHERE id = (SELECT volunteer_id FROM users WHERE id = $1)",
        )
        .bind(user_id)
        .bind(&email)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(Some(EmailChanged {
            user_id,
            name,
            old_email,
            new_email: email,
        }))
    }

    async fn station_managers(&self, station_id: Id) -> Result<Vec<Id>, AppError> {
        sqlx::query_scalar(
            "SELECT u.id FROM users u JOIN managed_stations m ON m.user_id = u.id
             JOIN user_roles r ON r.user_id = u.id AND r.role = 'station_manager'
             WHERE u.active AND m.station_id = $1 ORDER BY u.id",
        )
        .bind(station_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn area_coordinators(&self, area_id: Id) -> Result<Vec<Id>, AppError> {
        sqlx::query_scalar(
            "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'coordinator'
             WHERE u.active
               AND (NOT EXISTS (SELECT 1 FROM coordinator_areas c WHERE c.user_id = u.id)
                    OR EXISTS (SELECT 1 FROM coordinator_areas c WHERE c.user_id = u.id AND c.area_id = $1))
             ORDER BY u.id",
        )
        .bind(area_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn set_user_active(&self, user_id: Id, active: bool) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        if !active && last_active_administrator(&mut tx, user_id).await? {
            return Err(AppError::refused("users.last_administrator"));
        }
        let result = sqlx::query("UPDATE users SET active = $2 WHERE id = $1")
            .bind(user_id)
            .bind(active)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        one_row(result)?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }
}

/// The table and column that hold scopes of a kind. Fixed names, never input.
fn scope_table(kind: ScopeKind) -> (&'static str, &'static str) {
    match kind {
        ScopeKind::Area => ("coordinator_areas", "area_id"),
        ScopeKind::Station => ("managed_stations", "station_id"),
        ScopeKind::Team => ("led_teams", "team_id"),
    }
}

/// A live session with its user, roles and scope ids (comma-separated),
/// and the invitations waiting for the user's answer.
type SessionRow = (
    Id,
    String,
    String,
    Option<Id>,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

/// The items of a comma-separated `string_agg`.
fn listed(list: &Option<String>) -> impl Iterator<Item = &str> {
    list.as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|item| !item.is_empty())
}

// One query for all three kinds of scope, with the names people know them by.
const SCOPES_OF_USER: &str = "
    SELECT 'area', c.area_id, a.name FROM coordinator_areas c JOIN areas a ON a.id = c.area_id WHERE c.user_id = $1
    UNION ALL
    SELECT 'station', m.station_id, s.name FROM managed_stations m JOIN stations s ON s.id = m.station_id WHERE m.user_id = $1
    UNION ALL
    SELECT 'team', l.team_id, t.name FROM led_teams l JOIN teams t ON t.id = l.team_id WHERE l.user_id = $1
    ORDER BY 1, 3";

impl Storage {
    async fn scope_grants(&self, user_id: Id) -> Result<Vec<ScopeGrant>, AppError> {
        let rows: Vec<(String, Id, String)> = sqlx::query_as(SCOPES_OF_USER)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, id, name)| {
                ScopeKind::parse(&kind).map(|kind| ScopeGrant { kind, id, name })
            })
            .collect())
    }
}

/// Whether `user_id` is the only active administrator left.
async fn last_active_administrator(
    tx: &mut sqlx::Transaction<'static, Db>,
    user_id: Id,
) -> Result<bool, AppError> {
    let others: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id
         WHERE r.role = 'administrator' AND u.active AND u.id <> $1",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_error)?;
    let is_admin: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id
         WHERE r.user_id = $1 AND r.role = 'administrator' AND u.active",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(is_admin > 0 && others == 0)
}

/// Whether an account or a volunteer already has the address.
async fn email_in_use(
    tx: &mut sqlx::Transaction<'static, Db>,
    email: &str,
) -> Result<bool, AppError> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)
             OR EXISTS (SELECT 1 FROM volunteers WHERE email = $1)",
    )
    .bind(email)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_error)
}

/// The active account a volunteer on record signs in with: (id, name). One
/// is made on first use (volunteer role), or a user with the same address
/// and no volunteer record of their own is tied to it. `None` when the
/// account is deactivated, or the address belongs to another person's account.
async fn volunteer_account(
    tx: &mut sqlx::Transaction<'static, Db>,
    volunteer_id: Id,
) -> Result<Option<(Id, String)>, AppError> {
    let linked: Option<(Id, String, bool)> =
        sqlx::query_as("SELECT id, name, active FROM users WHERE volunteer_id = $1")
            .bind(volunteer_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_error)?;
    if let Some((id, name, active)) = linked {
        return Ok(active.then_some((id, name)));
    }
    let (email, name): (String, String) =
        sqlx::query_as("SELECT email, name FROM volunteers WHERE id = $1")
            .bind(volunteer_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(db_error)?;
    let same_address: Option<(Id, Option<Id>, bool)> =
        sqlx::query_as("SELECT id, volunteer_id, active FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_error)?;
    let user_id = match same_address {
        Some((_, Some(_), _)) | Some((_, None, false)) => return Ok(None),
        Some((id, None, true)) => {
            sqlx::query("UPDATE users SET volunteer_id = $2 WHERE id = $1")
                .bind(id)
                .bind(volunteer_id)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            id
        }
        None => sqlx::query_scalar(
            "INSERT INTO users (email, name, volunteer_id, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(&email)
        .bind(&name)
        .bind(volunteer_id)
        .bind(now())
        .fetch_one(&mut **tx)
        .await
        .map_err(db_error)?,
    };
    sqlx::query(
        "INSERT INTO user_roles (user_id, role) VALUES ($1, 'volunteer') ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(Some((user_id, name)))
}
