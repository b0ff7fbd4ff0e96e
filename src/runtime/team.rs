//! Team mode's wiring: opens the team store, starts the follower
//! (`crate::follow`) in place of the engine, and turns what it reports
//! into the app's messages (the engine's answers as the engine's, the rest
//! as `Msg::Team`). Carriers it learns of get their action profile from
//! their kind. Nothing here decides what is shown (the app does) or holds
//! a carrier client (none exists in team mode).

use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::effects::messages;
use crate::app::{CarrierInfo, Health, Msg, Seen, TeamMsg};
use crate::follow::{self, FollowEvent, FollowHandle, FollowSetup};
use crate::store::PgStore;
use crate::store::postgres::{CarrierHealth, Password, Presence};

/// Where the team store is.
#[derive(Debug, Clone)]
pub struct TeamSetup {
    /// `postgres://USER@HOST:PORT/DATABASE` (`?sslmode=require` for TLS).
    pub url: String,
    /// From the config's `database_password_env` / `_cmd`, if given.
    pub password: Password,
}

/// Opens the team store and starts following it; its reports reach the app
/// on `to_app`. `viewer`: a read-only console or the wallboard.
///
/// A team store that does not answer yet (down, restarting, the network
/// cut) does not stop the console: it starts, its store chip says
/// unreachable and why, and the follower connects once the database is
/// back. A refused login, a missing database or a schema of another build
/// is an error here: waiting would not mend them.
pub async fn start(
    team: &TeamSetup,
    author: String,
    viewer: bool,
    to_app: UnboundedSender<Msg>,
) -> Result<(FollowHandle, PgStore), String> {
    let store = match PgStore::open(&team.url, &team.password).await {
        Ok(store) => store,
        Err(e) if e.may_pass() => {
            tracing::warn!("team store not reachable at start, following once it is: {e}");
            PgStore::connect(&team.url, &team.password).map_err(|e| e.to_string())?
        }
        Err(e) => return Err(e.to_string()),
    };
    let (handle, events) = follow::spawn(FollowSetup {
        store: store.clone(),
        author,
        viewer,
    });
    forward(events, to_app, viewer);
    Ok((handle, store))
}

/// Passes the follower's reports to the app until either side ends.
fn forward(mut events: UnboundedReceiver<FollowEvent>, to_app: UnboundedSender<Msg>, viewer: bool) {
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            for msg in team_messages(event, viewer) {
                if to_app.send(msg).is_err() {
                    return;
                }
            }
        }
    });
}

/// The app's messages for one of the follower's reports.
pub fn team_messages(event: FollowEvent, viewer: bool) -> Vec<Msg> {
    match event {
        FollowEvent::Engine(event) => messages(event),
        FollowEvent::Carriers(named) => {
            let mut infos = Vec::new();
            let mut unknown = Vec::new();
            for (name, kind) in named {
                match carrier_info(&name, &kind, viewer) {
                    Some(info) => infos.push(info),
                    None => unknown.push(format!("{name} ({kind})")),
                }
            }
            let mut out = vec![Msg::Team(TeamMsg::Carriers(infos))];
            if !unknown.is_empty() {
                out.push(Msg::Warning(format!(
                    "the team store holds carriers of kinds this orderdesk does not know: {}; \
                     upgrade orderdesk to see their orders",
                    unknown.join(", ")
                )));
            }
            out
        }
        FollowEvent::Loaded(snapshot) => {
            let follow::Snapshot {
                orders,
                notes,
                flags,
                journal,
                health,
                presence,
            } = *snapshot;
            vec![
                Msg::CacheLoaded {
                    orders,
                    notes,
                    flags,
                    journal,
                },
                Msg::Team(TeamMsg::Health(health.into_iter().map(health_of).collect())),
                Msg::Team(TeamMsg::Presence(
                    presence.into_iter().map(seen_of).collect(),
                )),
            ]
        }
        FollowEvent::Connected => vec![Msg::Team(TeamMsg::Connected)],
        FollowEvent::Lost { since, why } => vec![Msg::Team(TeamMsg::Lost { since, why })],
        FollowEvent::Notes { key, notes } => vec![Msg::Team(TeamMsg::Notes { key, notes })],
        FollowEvent::Flag { key, flag } => vec![Msg::Team(TeamMsg::Flag { key, flag })],
        FollowEvent::Health(list) => vec![Msg::Team(TeamMsg::Health(
            list.into_iter().map(health_of).collect(),
        ))],
        FollowEvent::Presence(list) => vec![Msg::Team(TeamMsg::Presence(
            list.into_iter().map(seen_of).collect(),
        ))],
    }
}

/// A carrier known from the store, with its kind's profile; `None` for a
/// kind this build does not know.
pub fn carrier_info(name: &str, kind: &str, readonly: bool) -> Option<CarrierInfo> {
    let kind = crate::registry::find(kind)?;
    Some(CarrierInfo {
        name: Arc::from(name),
        kind: kind.name,
        profile: (kind.team_profile)(readonly)?,
        // The daemon keeps the quiet hours; a console asks for no poll.
        quiet_hours: None,
    })
}

fn health_of(h: CarrierHealth) -> Health {
    Health {
        carrier: h.carrier,
        ok: h.ok,
        detail: h.detail,
        checked_at: h.checked_at,
        next_poll: h.next_poll,
    }
}

fn seen_of(p: Presence) -> Seen {
    Seen {
        agent: p.agent,
        order: p.order,
        dialog: p.dialog,
        at: p.seen_at,
    }
}
