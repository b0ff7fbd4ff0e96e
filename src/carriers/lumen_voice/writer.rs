//! Voice writes: `POST .../order/{voiceOrderId}/cancel` (body `{}`) and
//! `POST .../order/{voiceOrderId}/supplement` (the validated JSON body). Sent
//! once with `Http::send_once`; a refused token (401, 403 with 403006 /
//! 403002) is replaced and the write sent once more, which is safe because
//! the gateway refused the first attempt before the carrier acted on it.
//! The body sent is the request's `body` parameter byte for byte: what the
//! dialog previewed. Constructed only when the carrier is built writable.

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::carriers::oauth::{SendKind, lumen_token_refused};
use crate::carriers::{CarrierError, CarrierWriter, WriteReceipt};
use crate::domain::{ActionKind, ActionRequest, Order, escape_unsafe, sanitize, unusable_id};

use super::client::{CUSTOMER_HEADER, Context, VoiceClient, map_error};
use super::profile::param;
use super::wire::scalar;

#[derive(Debug)]
pub struct VoiceWriter {
    pub(super) client: Arc<VoiceClient>,
}

#[async_trait]
impl CarrierWriter for VoiceWriter {
    async fn execute(
        &self,
        order: &Order,
        request: &ActionRequest,
    ) -> Result<WriteReceipt, CarrierError> {
        let verb = match request.action {
            ActionKind::Cancel => "cancel",
            ActionKind::Supplement => "supplement",
            other => {
                return Err(CarrierError::Local(format!(
                    "{other} is not offered by lumen-voice"
                )));
            }
        };
        let id = request.param(param::ORDER_ID).unwrap_or(&order.key.id);
        if let Some(why) = unusable_id(id) {
            return Err(CarrierError::Local(why));
        }
        let body = request
            .param(param::BODY)
            .ok_or_else(|| CarrierError::Local("the request has no body".into()))?
            .to_owned();
        let url = self.client.url(&["order", id, verb])?;
        let response = self
            .client
            .api
            .send(
                SendKind::Write,
                |client| {
                    client
                        .post(url.clone())
                        .header(ACCEPT, "application/json")
                        .header(CONTENT_TYPE, "application/json")
                        .header(CUSTOMER_HEADER, &self.client.customer_number)
                        .body(body.clone())
                },
                lumen_token_refused,
                |response| map_error(response, Context::Write),
            )
            .await?;
        let answer: Option<serde_json::Value> = serde_json::from_slice(&response.body).ok();
        let status = answer
            .as_ref()
            .and_then(|v| scalar(v.get("status")))
            .map(|s| sanitize(&s));
        let id = escape_unsafe(id);
        let message = match status {
            Some(status) => {
                format!("Lumen accepted the {verb} of voice order {id}: status {status}")
            }
            None => format!(
                "Lumen accepted the {verb} of voice order {id} (HTTP {})",
                response.status.as_u16()
            ),
        };
        Ok(WriteReceipt { message })
    }
}
