//! The election domain: plain data types and the rules that govern them.
//!
//! Everything here compiles for both the server and the browser, so the same
//! rules validate a form before it is sent and again, authoritatively, on the
//! server. Nothing here touches storage.

pub mod accounts;
pub mod answers;
pub mod audit;
pub mod board;
pub mod calendar;
pub mod candidates;
pub mod checkin;
pub mod cover;
pub mod cpr;
pub mod elections;
pub mod error;
pub mod exports;
pub mod forms;
pub mod imports;
pub mod lists;
pub mod merge;
pub mod notifications;
pub mod privacy;
#[cfg(test)]
mod properties;
pub mod register;
pub mod removals;
pub mod retention;
pub mod rosters;
pub mod seats;
pub mod shifts;
pub mod signup;
pub mod stations;
pub mod tasks;
pub mod teams;
pub mod volunteers;

/// Database ids are plain 64-bit integers on every backend.
pub type Id = i64;

pub use error::AppError;
