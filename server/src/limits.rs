//! How much a request may carry. A volunteer's form is a few hundred bytes
//! and a passkey answer a few kilobytes; only imports carry a whole file.
//! Anything bigger is answered 413 before its body is read, so a client
//! cannot make the server buffer megabytes on any form; a body sent too
//! slowly is answered 408, and headers sent too slowly close the connection
//! (see `startup::serve`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Every form and server function but the imports.
pub const SMALL_BODY: u64 = 64 * 1024;
/// A CSV import: 1 MB of text (`domain::imports::MAX_BYTES`) grows up to
/// three times when form-encoded (`;` is `%3B`, `ø` is `%C3%B8`).
pub const IMPORT_BODY: u64 = 4 * 1024 * 1024;

/// The most a request to `path` may carry.
pub fn body_limit(path: &str) -> u64 {
    match path {
        "/api/volunteers/import" | "/api/volunteers/import_choices" => IMPORT_BODY,
        _ => SMALL_BODY,
    }
}

/// Reads a request's body before the handler runs: refused by its declared
/// length when that is over the route's limit (before anything is read),
/// cut off at the limit when undeclared, and answered 408 when the client
/// does not send it all within `read_time` (a slowloris body would
/// otherwise hold a connection and a task for as long as it likes).
pub async fn body_limits(
    axum::extract::State(read_time): axum::extract::State<std::time::Duration>,
    request: Request,
    next: Next,
) -> Response {
    use http_body_util::BodyExt;
    let limit = body_limit(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit) {
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, "error.body_too_large");
    }
    let (parts, body) = request.into_parts();
    let limited = http_body_util::Limited::new(body, limit as usize);
    let body = match tokio::time::timeout(read_time, limited.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return refusal(StatusCode::PAYLOAD_TOO_LARGE, "error.body_too_large")
        }
        // The client went away or sent a broken body: nobody to answer.
        Ok(Err(_)) => return refusal(StatusCode::BAD_REQUEST, "error.body_unreadable"),
        Err(_) => return refusal(StatusCode::REQUEST_TIMEOUT, "error.request_timeout"),
    };
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// A translated refusal, as server functions answer theirs.
fn refusal(status: StatusCode, key: &'static str) -> Response {
    let error = app::domain::AppError::refused(key);
    let body = serde_json::to_string(&error).unwrap_or_default();
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if status == StatusCode::REQUEST_TIMEOUT {
        // The rest of a late body may still be on its way: start afresh.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_imports_carry_files() {
        assert_eq!(body_limit("/api/volunteers/import"), IMPORT_BODY);
        assert_eq!(body_limit("/api/areas/save"), SMALL_BODY);
        assert_eq!(body_limit("/signin"), SMALL_BODY);
        let encoded_csv = 3 * app::domain::imports::MAX_BYTES as u64;
        assert!(IMPORT_BODY > encoded_csv, "a full CSV fits, encoded");
    }
}
