//! The installable app: the service worker, served with the build's
//! fingerprint written into it, and the headers it reads.

use sha2::{Digest, Sha256};
use std::path::Path;

const SERVICE_WORKER: &str = include_str!("sw.js");

/// A fingerprint of the built assets (`pkg/`: wasm, js, css). It changes
/// with every build that changes what the browser runs.
pub fn build_id(site_root: &Path) -> String {
    let mut hasher = Sha256::new();
    let mut files: Vec<_> = std::fs::read_dir(site_root.join("pkg"))
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for path in files {
        if let Ok(bytes) = std::fs::read(&path) {
            hasher.update(
                path.file_name()
                    .map(|n| n.as_encoded_bytes())
                    .unwrap_or_default(),
            );
            hasher.update(&bytes);
        }
    }
    hex::encode(&hasher.finalize()[..8])
}

/// The service worker's source for this build.
pub fn service_worker(build: &str) -> String {
    SERVICE_WORKER.replace("__BUILD__", build)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_worker_carries_the_build() {
        let js = super::service_worker("abc123");
        assert!(js.contains("const BUILD = 'abc123';"));
        assert!(!js.contains("__BUILD__"));
    }
}
