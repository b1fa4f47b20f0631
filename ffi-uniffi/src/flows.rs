//! Core's multi-request flows (the pager of any paged list and the vault
//! flows) driven over the client's call engine, with every Argon2id step on
//! a thread of its own so the caller's thread (a coroutine dispatcher, the
//! Swift cooperative pool) is never blocked for the derivation.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use inkbox_core::api::Page;
use inkbox_core::api::dynamic::PagerFlow;
use inkbox_core::api::vault_flows::{AnyFlow, Flow as _, FlowOutput, Step};
use serde_json::Value;

use crate::client::ClientInner;
use crate::error::InkboxError;

struct Slot<T> {
    value: Option<std::thread::Result<T>>,
    waker: Option<Waker>,
}

/// The result of a closure run on a new thread, as a future.
struct OffThread<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

impl<T> Future for OffThread<T> {
    type Output = Result<T, InkboxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Ok(mut slot) = self.slot.lock() else {
            return Poll::Ready(Err(InkboxError::internal("internal.poisoned", "the worker thread failed")));
        };
        match slot.value.take() {
            Some(Ok(v)) => Poll::Ready(Ok(v)),
            Some(Err(_)) => Poll::Ready(Err(InkboxError::internal("internal.panic", "internal error in inkbox"))),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Runs `f` (CPU-heavy: Argon2id) on a thread of its own and awaits it. A
/// panic inside becomes `InkboxInternalError`.
pub(crate) async fn off_thread<T, F>(f: F) -> Result<T, InkboxError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let slot = Arc::new(Mutex::new(Slot { value: None, waker: None }));
    let theirs = Arc::clone(&slot);
    std::thread::Builder::new()
        .name("inkbox-kdf".into())
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(f));
            if let Ok(mut s) = theirs.lock() {
                s.value = Some(result);
                if let Some(w) = s.waker.take() {
                    w.wake();
                }
            }
        })
        .map_err(|_| InkboxError::internal("internal.thread", "could not start a worker thread"))?;
    OffThread { slot }.await
}

/// Where a flow stopped.
pub(crate) enum Progress {
    Page(Page),
    Done(Box<FlowOutput>),
}

/// Steps `flow` until it hands over a page or ends; requests go through the
/// client's call engine (retries included), Argon2id steps off-thread. The
/// flow is handed back with the outcome (a failed flow is not resumed).
pub(crate) async fn advance(
    client: &ClientInner,
    mut flow: AnyFlow,
) -> (Option<AnyFlow>, Result<Progress, InkboxError>) {
    loop {
        let step = if flow.next_is_heavy() {
            match off_thread(move || {
                let step = flow.next();
                (flow, step)
            })
            .await
            {
                Ok((f, step)) => {
                    flow = f;
                    step
                }
                // The flow was lost with the thread: nothing to resume.
                Err(e) => return (None, Err(e)),
            }
        } else {
            flow.next()
        };
        match step {
            Err(e) => return (Some(flow), Err(e.into())),
            Ok(Step::Page(page)) => return (Some(flow), Ok(Progress::Page(page))),
            Ok(Step::Done(out)) => return (Some(flow), Ok(Progress::Done(Box::new(out)))),
            Ok(Step::Send(req)) => {
                let answer = match client.execute_request(&req).await {
                    Ok(a) => a,
                    Err(e) => return (Some(flow), Err(e)),
                };
                if let Err(e) = flow.feed(&answer.response()) {
                    return (Some(flow), Err(e.into()));
                }
            }
        }
    }
}

/// Runs a flow that yields no pages to its end.
pub(crate) async fn run(client: &ClientInner, flow: impl Into<AnyFlow>) -> Result<FlowOutput, InkboxError> {
    match advance(client, flow.into()).await.1? {
        Progress::Done(out) => Ok(*out),
        Progress::Page(_) => Err(InkboxError::of("InkboxFlowError", "flow.out_of_order", "the flow yielded a page")),
    }
}

/// The state of one pager: the generated `...Pager` objects hold one and
/// parse each page with the operation's typed parser.
pub(crate) struct PagerState {
    client: Arc<ClientInner>,
    flow: Mutex<PagerSlot>,
}

enum PagerSlot {
    Ready(AnyFlow),
    Busy,
    Finished,
    Failed,
    /// A `nextPage` call was cancelled (its future dropped) mid-page: the
    /// flow went with it, so the pager cannot resume.
    Cancelled,
}

/// Marks the pager `Cancelled` when the `nextPage` future holding it is
/// dropped before it settles (a cancelled Kotlin coroutine; uniffi's Swift
/// wrapper never drops a pending future).
struct Settle<'a> {
    state: &'a PagerState,
    armed: bool,
}

impl Settle<'_> {
    fn to(mut self, slot: PagerSlot) {
        self.armed = false;
        self.state.set(slot);
    }
}

impl Drop for Settle<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.state.set(PagerSlot::Cancelled);
        }
    }
}

impl std::fmt::Debug for PagerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PagerState { .. }")
    }
}

impl PagerState {
    /// Every page of `op` called with `args` (cursor, offset or unpaged).
    pub(crate) fn new(client: &Arc<ClientInner>, op: &str, args: Value) -> Result<Self, InkboxError> {
        let flow = PagerFlow::new(op, args)?;
        Ok(PagerState { client: Arc::clone(client), flow: Mutex::new(PagerSlot::Ready(flow.into())) })
    }

    fn set(&self, slot: PagerSlot) {
        if let Ok(mut s) = self.flow.lock() {
            *s = slot;
        }
    }

    /// The next page's response, or `None` after the last one.
    pub(crate) async fn next_page(&self) -> Result<Option<Page>, InkboxError> {
        let taken = {
            let mut s =
                self.flow.lock().map_err(|_| InkboxError::internal("internal.poisoned", "the pager failed earlier"))?;
            std::mem::replace(&mut *s, PagerSlot::Busy)
        };
        let flow = match taken {
            PagerSlot::Ready(flow) => flow,
            PagerSlot::Finished => {
                self.set(PagerSlot::Finished);
                return Ok(None);
            }
            PagerSlot::Busy => {
                return Err(InkboxError::of(
                    "InkboxFlowError",
                    "flow.out_of_order",
                    "another nextPage call of this pager is running",
                ));
            }
            PagerSlot::Failed => {
                self.set(PagerSlot::Failed);
                return Err(InkboxError::of("InkboxFlowError", "flow.out_of_order", "the pager failed earlier"));
            }
            PagerSlot::Cancelled => {
                self.set(PagerSlot::Cancelled);
                return Err(InkboxError::of(
                    "InkboxFlowError",
                    "flow.out_of_order",
                    "an earlier nextPage call was cancelled: start the list again",
                ));
            }
        };
        let settle = Settle { state: self, armed: true };
        match advance(&self.client, flow).await {
            (Some(flow), Ok(Progress::Page(page))) => {
                settle.to(PagerSlot::Ready(flow));
                Ok(Some(page))
            }
            (_, Ok(_)) => {
                settle.to(PagerSlot::Finished);
                Ok(None)
            }
            (_, Err(e)) => {
                settle.to(PagerSlot::Failed);
                Err(e)
            }
        }
    }
}
