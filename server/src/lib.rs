//! The Valgvagt server: configuration, storage, the HTTP application and
//! the command-line tasks (migrate, demo data, first administrator).

pub mod admin;
pub mod assets;
pub mod background;
pub mod backup;
pub mod board;
pub mod calendar;
pub mod client_addr;
pub mod config;
pub mod cpr_recheck;
pub mod demo;
pub mod exports;
pub mod integrations;
pub mod leases;
pub mod limits;
pub mod mail;
pub mod notifications;
pub mod passkeys;
pub mod pwa;
pub mod retention;
pub mod secrets;
pub mod startup;
pub mod storage;
