//! Integration tests: each test starts the real server on a random loopback
//! port with its own fresh SQLite file and talks to it over HTTP.

#[macro_use]
mod helpers;
mod answer_links;
mod assets;
mod audit;
mod auth;
mod authorization;
mod backends;
mod backup;
mod board;
mod candidates;
mod checkin;
mod copy_data;
mod cover;
mod cpr;
mod cpr_peer;
mod crashes;
mod imports;
mod leases;
mod lists;
mod my_shifts;
mod newcomers;
mod notifications;
mod passkeys;
mod privacy;
mod proxies;
mod push_service;
mod register;
mod reminders;
mod removals;
mod retention;
mod scopes;
mod seats;
mod served;
mod setup;
mod sign_in_codes;
mod signup;
mod smtp;
mod standby;
mod started;
mod storage;
mod team_seats;
mod two_servers;
mod users;
