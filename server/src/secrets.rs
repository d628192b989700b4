//! Random secrets and their hashes. Session ids and sign-in tokens are sent
//! to the browser once and stored only as SHA-256 hashes, so a copy of the
//! database cannot be used to sign in.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, hex encoded (URL-safe).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// 128 random bits, hex encoded: for links that must fit an SMS.
pub fn new_short_secret() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_fresh_and_hashes_stable() {
        let a = super::new_secret();
        let b = super::new_secret();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(super::new_short_secret().len(), 32);
        assert_eq!(super::hash("x"), super::hash("x"));
        assert_ne!(super::hash(&a), a);
    }
}
