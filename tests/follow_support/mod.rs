//! Waiting on a team follower's events in the tests (`orderdesk::follow`).
#![allow(dead_code)]

use std::time::Duration;

use orderdesk::follow::FollowEvent;
use tokio::sync::mpsc::UnboundedReceiver;

/// The first event for which `pick` says something, within `within`.
pub async fn wait_for<T>(
    events: &mut UnboundedReceiver<FollowEvent>,
    within: Duration,
    mut pick: impl FnMut(&FollowEvent) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("nothing expected within {within:?}"))
            .expect("the follower runs");
        if let Some(found) = pick(&event) {
            return found;
        }
    }
}
