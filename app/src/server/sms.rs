//! Outgoing SMS, as the server functions see it (sign-in codes go straight
//! to the gateway, not through the outbox: they must never wait behind a
//! queue, nor be kept after they are sent). The server provides the gateway.

use async_trait::async_trait;

#[async_trait]
pub trait TextMessages: Send + Sync {
    /// Sends `text` to `phone` (E.164); `reference` is echoed in the
    /// gateway's delivery reports. The error is the gateway's, for the log.
    async fn send_text(&self, phone: &str, text: &str, reference: &str) -> Result<(), String>;
}
