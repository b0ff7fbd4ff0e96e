//! Spoiling a simulator's successful answer the way the fault dice said
//! (`Spoil` of [`crate::sim::faults`]): a truncated body, or a gateway's
//! HTML page where JSON belongs. Shared by the Lumen simulators.
//!
//! Must not: roll dice or decide which answers are spoiled (the caller
//! passes its roll), or word a kind's own error bodies (the caller says
//! what an unreadable body becomes).

use axum::body::Body;
use axum::response::Response;

use crate::sim::faults::{Fault, Spoil, truncate};

/// `response` spoiled as `spoil` says when it is a success, else as it
/// is; `count` records the fault injected and `unreadable` is the answer
/// when the body cannot be read back.
pub async fn spoil_success(
    response: Response,
    spoil: Option<Spoil>,
    count: impl FnOnce(Fault),
    unreadable: impl FnOnce() -> Response,
) -> Response {
    let Some(spoil) = spoil.filter(|_| response.status().is_success()) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return unreadable();
    };
    let mut bytes = bytes.to_vec();
    match spoil {
        Spoil::Truncate(share) => {
            truncate(&mut bytes, share);
            count(Fault::Truncated);
        }
        Spoil::Malformed => {
            bytes = b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec();
            count(Fault::Malformed);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
