//! What the delivery worker needs from storage, beside what the server
//! functions use ([`app::server::storage::NotificationStore`]).

use app::domain::notifications::{Channel, MessageKind, Params};
use app::domain::{AppError, Id};
use async_trait::async_trait;

/// A message the worker has claimed, with everything needed to deliver it.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: Id,
    pub idempotency_key: String,
    pub kind: MessageKind,
    pub election_id: Option<Id>,
    pub task_type_id: Option<Id>,
    pub seat_id: Option<Id>,
    /// The volunteer it is to, if it is to one.
    pub volunteer_id: Option<Id>,
    pub params: Params,
    /// Tries so far, this one included.
    pub attempts: i64,
    pub recipient: Recipient,
}

/// Who gets a message and how they can be reached.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// "da" or "en".
    pub language: String,
    /// The channels they accept, in the order they prefer.
    pub channels: Vec<Channel>,
    pub push: Vec<PushTarget>,
    /// Their CPR number (ten digits), for Digital Post; never logged.
    pub cpr: Option<String>,
    /// The register says they are exempt from Digital Post.
    pub digital_post_exempt: bool,
}

/// One of the recipient's push subscriptions.
#[derive(Debug, Clone)]
pub struct PushTarget {
    pub id: Id,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

#[async_trait]
pub trait OutboxQueue: Send + Sync {
    /// Claims up to `limit` due messages (pending and due, or claimed by a
    /// worker whose lease ran out) until `now + lease_secs`.
    async fn claim_due(
        &self,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<Claimed>, AppError>;
    async fn record_attempt(
        &self,
        id: Id,
        channel: Channel,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), AppError>;
    /// Delivered on `channel`; `reference` is the channel's own id of it
    /// (Digital Post's transmission id).
    async fn mark_sent(
        &self,
        id: Id,
        channel: Channel,
        reference: Option<&str>,
        now: i64,
    ) -> Result<(), AppError>;
    /// Back to the queue, due again at `next_at`.
    async fn mark_retry(&self, id: Id, error: &str, next_at: i64) -> Result<(), AppError>;
    async fn mark_failed(&self, id: Id, error: &str) -> Result<(), AppError>;
    /// Gives a claimed message back untried (the worker is stopping).
    async fn release(&self, id: Id) -> Result<(), AppError>;
    async fn push_delivered(&self, subscription_id: Id, now: i64) -> Result<(), AppError>;
    /// The push service said the subscription is gone (404/410).
    async fn drop_push_subscription(&self, subscription_id: Id) -> Result<(), AppError>;
    /// When the next pending message falls due, if any.
    async fn next_due_at(&self) -> Result<Option<i64>, AppError>;
}
