//! A fake in-memory carrier for the journal executor's tests: a profile, a
//! reader and a writer over one shared state, with scripted or random faults.
//!
//! Every write carries a unique `ref` parameter; applying it appends a log
//! line `applied <ref>` to the order (like Tjänsteguiden writes a log line for
//! each status change or message). `effect_visible` looks for that line, so
//! the carrier's final state can be compared with the journal write by write.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use orderdesk::carriers::{
    CarrierError, CarrierHandle, CarrierProfile, CarrierReader, CarrierWriter, PollPlan,
    PollSummary, SyncSink, WriteReceipt,
};
use orderdesk::domain::{
    ActionForm, ActionKind, ActionRequest, Availability, ConfirmRule, FieldError, FormValues,
    LogEntry, LogKind, Order, OrderKey, Stage, Stamp, Status,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const KIND: &str = "tjansteguiden";

/// What the fake writer does with one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteFault {
    /// Applies it and answers OK.
    Accept,
    /// Does not apply it; answers with a refusal.
    Refuse,
    /// Applies it, then the answer never comes (timeout).
    TimeoutAfterApply,
    /// Times out before it reaches the carrier's state.
    TimeoutBeforeApply,
    /// Applies it, then the connection drops (503-like, sent).
    DropAfterApply,
    /// The connection drops before it is applied (sent, not applied).
    DropBeforeApply,
    /// Connection refused: never sent.
    Unreachable,
    /// Answers OK but the effect shows only when `publish_pending` is called.
    AcceptInvisible,
    /// 429: not applied.
    RateLimited,
}

#[derive(Default)]
pub struct FakeState {
    /// Status and applied log lines per order id.
    pub orders: HashMap<String, (String, Vec<String>)>,
    /// How many times each `ref` was applied.
    pub applied: HashMap<String, u32>,
    /// Writes accepted but not visible yet (AcceptInvisible).
    pub pending: Vec<(String, ActionRequest)>,
    /// Scripted faults, used first.
    pub write_script: VecDeque<WriteFault>,
    pub read_script: VecDeque<bool>,
    /// Random faults after the script runs out (None = always fine).
    pub random: Option<RandomFaults>,
    pub sends: u32,
    pub reads: u32,
}

pub struct RandomFaults {
    pub rng: StdRng,
    /// (fault, weight)
    pub writes: Vec<(WriteFault, u32)>,
    /// Chance in percent that a re-read fails.
    pub read_fail_percent: u32,
}

impl RandomFaults {
    pub fn new(seed: u64, writes: Vec<(WriteFault, u32)>, read_fail_percent: u32) -> Self {
        RandomFaults {
            rng: StdRng::seed_from_u64(seed),
            writes,
            read_fail_percent,
        }
    }

    fn write(&mut self) -> WriteFault {
        let total: u32 = self.writes.iter().map(|(_, w)| w).sum();
        let mut pick = self.rng.random_range(0..total.max(1));
        for (fault, weight) in &self.writes {
            if pick < *weight {
                return *fault;
            }
            pick -= weight;
        }
        WriteFault::Accept
    }

    fn read_fails(&mut self) -> bool {
        self.rng.random_range(0..100) < self.read_fail_percent
    }
}

#[derive(Clone, Default)]
pub struct Fake {
    pub state: Arc<Mutex<FakeState>>,
}

impl Fake {
    pub fn new() -> Self {
        Fake::default()
    }

    pub fn with_orders(ids: impl IntoIterator<Item = String>) -> Self {
        let fake = Fake::new();
        {
            let mut s = fake.state.lock().unwrap();
            for id in ids {
                s.orders.insert(id, ("new".into(), Vec::new()));
            }
        }
        fake
    }

    pub fn script(&self, faults: &[WriteFault]) {
        self.state.lock().unwrap().write_script.extend(faults);
    }

    pub fn fail_reads(&self, pattern: &[bool]) {
        self.state.lock().unwrap().read_script.extend(pattern);
    }

    pub fn set_random(&self, random: Option<RandomFaults>) {
        self.state.lock().unwrap().random = random;
    }

    pub fn sends(&self) -> u32 {
        self.state.lock().unwrap().sends
    }

    pub fn applied(&self, reference: &str) -> u32 {
        self.state
            .lock()
            .unwrap()
            .applied
            .get(reference)
            .copied()
            .unwrap_or(0)
    }

    pub fn applied_all(&self) -> HashMap<String, u32> {
        self.state.lock().unwrap().applied.clone()
    }

    /// Applies a request directly (a write that reached the carrier before
    /// the console died).
    pub fn apply(&self, id: &str, request: &ActionRequest) {
        apply(&mut self.state.lock().unwrap(), id, request);
    }

    /// Makes AcceptInvisible writes visible.
    pub fn publish_pending(&self) {
        let mut s = self.state.lock().unwrap();
        let pending = std::mem::take(&mut s.pending);
        for (id, request) in pending {
            apply(&mut s, &id, &request);
        }
    }

    pub fn order(&self, id: &str) -> Order {
        order_of(&self.state.lock().unwrap(), id)
    }

    pub fn handle(&self, name: &str, readonly: bool) -> CarrierHandle {
        CarrierHandle {
            name: Arc::from(name),
            profile: Arc::new(FakeProfile),
            reader: Arc::new(FakeReader(self.clone())),
            writer: if readonly {
                None
            } else {
                Some(Arc::new(FakeWriter(self.clone())) as Arc<dyn CarrierWriter>)
            },
            plan: PollPlan {
                interval: std::time::Duration::from_secs(60),
                quiet_hours: None,
            },
        }
    }
}

fn apply(s: &mut FakeState, id: &str, request: &ActionRequest) {
    let reference = request.param("ref").unwrap_or("").to_owned();
    let entry = s
        .orders
        .entry(id.to_owned())
        .or_insert_with(|| ("new".into(), Vec::new()));
    if request.action == ActionKind::SetStatus {
        entry.0 = request.param("status").unwrap_or("").to_owned();
    }
    entry.1.push(format!("applied {reference}"));
    *s.applied.entry(reference).or_default() += 1;
}

fn order_of(s: &FakeState, id: &str) -> Order {
    let (status, lines) = s.orders.get(id).cloned().unwrap_or_default();
    let mut order = Order::new(
        OrderKey::new("tg", id),
        KIND,
        Status::new(status, Stage::InProgress, false),
    );
    order.log = lines
        .into_iter()
        .map(|text| LogEntry {
            at: Stamp::default(),
            kind: LogKind::Log,
            source: "fake".into(),
            text,
        })
        .collect();
    order
}

#[derive(Debug)]
pub struct FakeProfile;

impl CarrierProfile for FakeProfile {
    fn kind(&self) -> &'static str {
        KIND
    }
    fn availability(&self, _order: &Order, _action: ActionKind) -> Availability {
        Availability::Available
    }
    fn form(&self, _order: &Order, _action: ActionKind) -> Option<ActionForm> {
        None
    }
    fn validate(
        &self,
        _order: &Order,
        _action: ActionKind,
        _values: &FormValues,
        _now: DateTime<Utc>,
    ) -> Result<ActionRequest, Vec<FieldError>> {
        Err(vec![FieldError::form("not used")])
    }
    fn confirmation(&self, _order: &Order, _request: &ActionRequest) -> ConfirmRule {
        ConfirmRule::None
    }
    fn effect_visible(&self, order: &Order, request: &ActionRequest) -> bool {
        let line = format!("applied {}", request.param("ref").unwrap_or(""));
        order.log.iter().any(|e| e.text == line)
    }
    /// A pay link stands for a write no re-read can show (like LLA's): the
    /// fake still logs it, but the executor must not look.
    fn reread_confirms(&self, request: &ActionRequest) -> bool {
        request.action != ActionKind::AddPayLink
    }
}

pub struct FakeReader(pub Fake);

#[async_trait]
impl CarrierReader for FakeReader {
    async fn poll(
        &self,
        cursor: Option<String>,
        _sink: &SyncSink,
    ) -> Result<(PollSummary, Option<String>), CarrierError> {
        Ok((PollSummary::default(), cursor))
    }

    async fn fetch_order(&self, id: &str) -> Result<Order, CarrierError> {
        // Let other tasks run, as a real request would.
        tokio::task::yield_now().await;
        let mut s = self.0.state.lock().unwrap();
        s.reads += 1;
        let fail = match s.read_script.pop_front() {
            Some(fail) => fail,
            None => s.random.as_mut().is_some_and(RandomFaults::read_fails),
        };
        if fail {
            return Err(CarrierError::Unavailable {
                code: Some("503".into()),
                message: "Service Unavailable".into(),
                retry_after: None,
                sent: true,
            });
        }
        Ok(order_of(&s, id))
    }
}

pub struct FakeWriter(pub Fake);

#[async_trait]
impl CarrierWriter for FakeWriter {
    async fn execute(
        &self,
        order: &Order,
        request: &ActionRequest,
    ) -> Result<WriteReceipt, CarrierError> {
        tokio::task::yield_now().await;
        let mut s = self.0.state.lock().unwrap();
        s.sends += 1;
        let fault = match s.write_script.pop_front() {
            Some(f) => f,
            None => match s.random.as_mut() {
                Some(r) => r.write(),
                None => WriteFault::Accept,
            },
        };
        let id = order.key.id.clone();
        let ok = || WriteReceipt {
            message: format!("OK {}", request.param("ref").unwrap_or("")),
        };
        match fault {
            WriteFault::Accept => {
                apply(&mut s, &id, request);
                Ok(ok())
            }
            WriteFault::AcceptInvisible => {
                s.pending.push((id, request.clone()));
                Ok(ok())
            }
            WriteFault::Refuse => Err(CarrierError::Rejected {
                code: "E42".into(),
                message: "status change not allowed".into(),
            }),
            WriteFault::TimeoutAfterApply => {
                apply(&mut s, &id, request);
                Err(CarrierError::Timeout("no answer in 30s".into()))
            }
            WriteFault::TimeoutBeforeApply => Err(CarrierError::Timeout("no answer in 30s".into())),
            WriteFault::DropAfterApply => {
                apply(&mut s, &id, request);
                Err(CarrierError::Unavailable {
                    code: None,
                    message: "connection reset".into(),
                    retry_after: None,
                    sent: true,
                })
            }
            WriteFault::DropBeforeApply => Err(CarrierError::Unavailable {
                code: None,
                message: "connection reset".into(),
                retry_after: None,
                sent: true,
            }),
            WriteFault::Unreachable => Err(CarrierError::Unavailable {
                code: None,
                message: "connection refused".into(),
                retry_after: None,
                sent: false,
            }),
            WriteFault::RateLimited => Err(CarrierError::RateLimited { retry_after: None }),
        }
    }
}

/// A request with a unique `ref`.
pub fn message(reference: &str) -> ActionRequest {
    ActionRequest {
        action: ActionKind::AddMessage,
        params: vec![
            ("type".into(), "log".into()),
            ("text".into(), format!("message {reference}")),
            ("ref".into(), reference.into()),
        ],
        summary: format!("add message {reference}"),
        preview: None,
    }
}

/// A write no re-read confirms (see `FakeProfile::reread_confirms`).
pub fn pay_link(reference: &str) -> ActionRequest {
    ActionRequest {
        action: ActionKind::AddPayLink,
        params: vec![("ref".into(), reference.into())],
        summary: format!("add pay link {reference}"),
        preview: None,
    }
}

pub fn set_status(reference: &str, status: &str) -> ActionRequest {
    ActionRequest {
        action: ActionKind::SetStatus,
        params: vec![
            ("status".into(), status.into()),
            ("ref".into(), reference.into()),
        ],
        summary: format!("set status {status}"),
        preview: None,
    }
}
