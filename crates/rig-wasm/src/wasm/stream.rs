//! Streams handed to JavaScript in batches.
//!
//! The TypeScript layer wraps a [`WasmStream`] in a web `ReadableStream`
//! whose `pull` calls [`WasmStream::next`]. Each call resolves with a
//! [`StreamBatch`]: every part that is ready (at least one unless the stream
//! has ended), so a fast stream crosses the JS/wasm boundary once per network
//! read rather than once per delta, and `done` once nothing more will come.
//! A failure is the batch's last part (`error`), with `done` set. Cancelling
//! the `ReadableStream` calls [`WasmStream::cancel`], which drops the Rig
//! stream and with it the HTTP request.

use std::cell::RefCell;
use std::rc::Rc;

use futures::{FutureExt, StreamExt};
use js_sys::Promise;
use rig_agent::agent::StreamingResult;
use wasm_bindgen::prelude::*;

use super::{abortable, promise_json};
use crate::contract::{to_json, StreamBatch, StreamPart};
use crate::error::{from_prompt_error, BindError, ErrorCode};
use crate::parts::PartMapper;

/// At most this many parts go into one batch.
const MAX_BATCH: usize = 4096;

struct AgentStream {
    /// The call context: its `aborted` promise ends a pending read.
    ctx: JsValue,
    stream: Option<StreamingResult>,
    provider: String,
    redact: Option<String>,
    mapper: PartMapper,
    /// A read is in flight.
    reading: bool,
}

/// A stream of parts for the TypeScript layer.
#[wasm_bindgen]
pub struct WasmStream {
    state: Rc<RefCell<AgentStream>>,
}

impl WasmStream {
    pub fn agent(
        stream: StreamingResult,
        provider: String,
        redact: Option<String>,
        ctx: JsValue,
    ) -> Self {
        Self {
            state: Rc::new(RefCell::new(AgentStream {
                ctx,
                stream: Some(stream),
                provider,
                redact,
                mapper: PartMapper::default(),
                reading: false,
            })),
        }
    }
}

impl AgentStream {
    fn error(&self, error: BindError) -> BindError {
        match &self.redact {
            Some(key) => error.redact(key),
            None => error,
        }
    }
}

/// Clears the in-flight flag however the read ends (also when an abort drops it).
struct Reading(Rc<RefCell<AgentStream>>);

impl Drop for Reading {
    fn drop(&mut self) {
        if let Ok(mut guard) = self.0.try_borrow_mut() {
            guard.reading = false;
        }
    }
}

/// What one poll of the Rig stream gave.
enum Step {
    Item(rig_agent::agent::MultiTurnStreamItem),
    Failed(rig_agent::completion::PromptError),
    Ended,
}

async fn next_batch(state: Rc<RefCell<AgentStream>>) -> Result<String, BindError> {
    let taken = {
        let mut guard = state.borrow_mut();
        if guard.reading {
            return Err(BindError::new(
                ErrorCode::InvalidArgument,
                "next() was called while another read was pending",
            ));
        }
        let stream = guard.stream.take();
        guard.reading = stream.is_some();
        stream
    };
    let Some(mut stream) = taken else {
        return Ok(to_json(&StreamBatch {
            parts: Vec::new(),
            done: true,
        }));
    };
    let _reading = Reading(state.clone());
    let mut batch = StreamBatch::default();
    // Wait until at least one part is ready: an item may map to none (a part
    // of a kind JavaScript does not see), which is no reason to stop.
    loop {
        let step = if batch.parts.is_empty() {
            match stream.next().await {
                Some(Ok(item)) => Step::Item(item),
                Some(Err(error)) => Step::Failed(error),
                None => Step::Ended,
            }
        } else {
            // Then take what is ready without waiting: one crossing per batch.
            match stream.next().now_or_never() {
                Some(Some(Ok(item))) => Step::Item(item),
                Some(Some(Err(error))) => Step::Failed(error),
                Some(None) => Step::Ended,
                None => break,
            }
        };
        let mut guard = state.borrow_mut();
        match step {
            Step::Item(item) => guard.mapper.push(item, &mut batch.parts),
            Step::Failed(error) => {
                let error = guard.error(from_prompt_error(&error, &guard.provider));
                batch.parts.push(StreamPart::Error { error, text: () });
                batch.done = true;
                return Ok(to_json(&batch));
            }
            Step::Ended => {
                batch.done = true;
                return Ok(to_json(&batch));
            }
        }
        if batch.parts.len() >= MAX_BATCH {
            break;
        }
    }
    state.borrow_mut().stream = Some(stream);
    Ok(to_json(&batch))
}

#[wasm_bindgen]
impl WasmStream {
    /// Resolves to a `StreamBatch` as JSON.
    pub fn next(&self) -> Promise {
        let state = self.state.clone();
        let ctx = state.borrow().ctx.clone();
        promise_json(async move { abortable(&ctx, next_batch(state)).await })
    }

    /// Stop the stream and the request behind it.
    pub fn cancel(&self) {
        self.state.borrow_mut().stream = None;
    }
}
