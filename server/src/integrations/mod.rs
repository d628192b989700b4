//! Clients of the public sector's services, each behind a trait of the
//! app's (`app::server::…`) or used by the outbox, so a municipality connects
//! one by configuration.

pub mod cpr;
pub mod digital_post;

use std::time::Duration;

/// An HTTPS client as Serviceplatformen is spoken to: the system certificate
/// as the TLS client certificate, and the services' CA (`server_ca_pem`) as
/// the only trusted root when given, the system's roots otherwise.
pub fn mutual_tls_client(
    service: &str,
    client_pem: &[u8],
    server_ca_pem: Option<&[u8]>,
    timeout: Duration,
) -> anyhow::Result<reqwest::Client> {
    let identity = reqwest::Identity::from_pem(client_pem)
        .map_err(|e| anyhow::anyhow!("the {service} client certificate and key (PEM): {e}"))?;
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .identity(identity)
        .timeout(timeout)
        .https_only(true);
    if let Some(ca) = server_ca_pem {
        builder = builder.tls_built_in_root_certs(false);
        for cert in reqwest::Certificate::from_pem_bundle(ca)
            .map_err(|e| anyhow::anyhow!("the {service} service's CA (PEM): {e}"))?
        {
            builder = builder.add_root_certificate(cert);
        }
    }
    Ok(builder.build()?)
}

/// A CVR number: eight digits (`whose` names it in the error).
pub fn cvr(whose: &str, raw: &str) -> anyhow::Result<String> {
    let cvr = raw.trim().to_string();
    if cvr.len() != 8 || !cvr.bytes().all(|b| b.is_ascii_digit()) {
        anyhow::bail!("{whose} CVR must be 8 digits, got {cvr:?}");
    }
    Ok(cvr)
}

/// A configured PEM file's bytes; the error names the setting and the file.
pub fn read_pem(key: &str, path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("{key} {}: {e}", path.display()))
}

/// An error with its causes, as one line for the log (reqwest's own message
/// hides the TLS reason).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
