//! Clients of the public sector's services, each behind a trait of the
//! app's (`app::server::…`) so a municipality connects one by configuration.

pub mod cpr;
