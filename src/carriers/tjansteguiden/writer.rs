//! Writes to the portal: `set_status` and `add_message`, each sent exactly
//! once (`Http::send_once`; never retried here: the journal decides after an
//! unknown outcome). Only `build(.., readonly = false)` constructs a
//! [`TgWriter`]; nothing else in the adapter can send a write.

use std::sync::Arc;

use async_trait::async_trait;

use super::Portal;
use super::profile::{wire_params, write_method};
use super::wire::{self, Direction};
use crate::carriers::{CarrierError, CarrierWriter, WriteReceipt};
use crate::domain::{ActionKind, ActionRequest, Order, unusable_id};

/// The write side of one Tjänsteguiden instance.
#[derive(Debug)]
pub struct TgWriter {
    portal: Arc<Portal>,
}

impl TgWriter {
    pub(crate) fn new(portal: Arc<Portal>) -> Self {
        TgWriter { portal }
    }
}

#[async_trait]
impl CarrierWriter for TgWriter {
    async fn execute(
        &self,
        order: &Order,
        request: &ActionRequest,
    ) -> Result<WriteReceipt, CarrierError> {
        let method = match request.action {
            ActionKind::Acknowledge
            | ActionKind::SetStatus
            | ActionKind::Cancel
            | ActionKind::AddMessage => write_method(request.action),
            other => {
                return Err(CarrierError::Local(format!(
                    "{} is not offered by this carrier",
                    other.label()
                )));
            }
        };
        if let Some(why) = unusable_id(&order.key.id) {
            return Err(CarrierError::Local(why));
        }
        let params = wire_params(&request.params);
        let mut query: Vec<(&str, &str)> = vec![
            ("method", method),
            ("api_user", &self.portal.api_user),
            ("id", &order.key.id),
        ];
        query.extend(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let url = wire::url(&self.portal.endpoint, &query);
        let http = &self.portal.http;
        let resp = http.send_once(http.client().get(url)).await?;
        // The document shows only set_status's answer: any root that is not an
        // error (see `wire`) counts as success.
        let root = wire::check(&resp, &[], Direction::Write)?;
        Ok(WriteReceipt {
            message: wire::write_message(&root),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderKey, Stage, Status};

    #[tokio::test]
    async fn a_dot_segment_or_empty_id_is_refused_before_anything_is_sent() {
        let portal = Portal {
            name: Arc::from("tg"),
            // Nothing listens on the discard port: a request would fail
            // with a transport error, not a local refusal.
            endpoint: reqwest::Url::parse("http://127.0.0.1:9/orders").unwrap(),
            api_user: "1".into(),
            tz: chrono_tz::Europe::Stockholm,
            http: crate::carriers::http::Http::new(Default::default()).unwrap(),
        };
        let writer = TgWriter::new(Arc::new(portal));
        let request = ActionRequest {
            action: ActionKind::SetStatus,
            params: vec![("status".into(), "active".into())],
            summary: "test".into(),
            preview: None,
        };
        for id in ["..", ".", ""] {
            let order = Order::new(
                OrderKey::new("tg", id),
                super::super::KIND,
                Status::new("new", Stage::New, false),
            );
            let e = writer.execute(&order, &request).await.unwrap_err();
            assert_eq!(e.category(), "local", "{id:?}: {e}");
            assert!(!e.outcome_unknown());
        }
    }
}
