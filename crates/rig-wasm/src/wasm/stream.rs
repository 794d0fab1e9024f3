//! Streams handed to JavaScript in batches.
//!
//! The TypeScript layer wraps a [`WasmStream`] in a web `ReadableStream`
//! whose `pull` calls [`WasmStream::next`]. Each call resolves with every
//! chunk that is ready (at least one), as one JSON array, so a fast stream
//! crosses the JS/wasm boundary once per network read rather than once per
//! delta. Cancelling the `ReadableStream` calls [`WasmStream::cancel`], which
//! drops the Rig stream and with it the HTTP request.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::{FutureExt, StreamExt};
use js_sys::Promise;
use rig_agent::agent::{MultiTurnStreamItem, StreamingResult};
use rig_agent::streaming::{Item, Part, PartKind, StreamEvent};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::{abortable, promise_json};
use crate::convert;
use crate::error::{from_prompt_error, BindError, ErrorCode};

/// At most this many chunks go into one batch.
const MAX_BATCH: usize = 4096;

struct AgentStream {
    /// The call context: its `aborted` promise ends a pending read.
    ctx: JsValue,
    stream: Option<StreamingResult>,
    provider: String,
    redact: Option<String>,
    /// Tool names by stream part, for argument deltas.
    tool_parts: HashMap<Part, String>,
    /// A read is in flight.
    reading: bool,
    /// A failure to report on the next read.
    pending_error: Option<BindError>,
    cancelled: bool,
}

/// A stream of chunks for the TypeScript layer.
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
                tool_parts: HashMap::new(),
                reading: false,
                pending_error: None,
                cancelled: false,
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

    /// Append the JavaScript chunk for `item`, if it has one, to `out`.
    fn push(&mut self, item: MultiTurnStreamItem, out: &mut Batch) {
        let chunk = match item {
            MultiTurnStreamItem::StreamAssistantItem(Item::Event(event)) => match event {
                StreamEvent::Text { text, .. } => Chunk::Text { text },
                StreamEvent::Reasoning { text, .. } => Chunk::Reasoning {
                    text: (),
                    reasoning: text,
                },
                StreamEvent::Start {
                    part,
                    kind: PartKind::ToolCall,
                    name,
                } => {
                    let name = name.map(|n| n.to_string()).unwrap_or_default();
                    self.tool_parts.insert(part, name);
                    return;
                }
                StreamEvent::Arguments { part, json } => Chunk::ToolCallDelta {
                    text: (),
                    name: self.tool_parts.get(&part).cloned().unwrap_or_default(),
                    arguments_delta: json,
                },
                _ => return,
            },
            MultiTurnStreamItem::ToolCall { tool_call } => Chunk::ToolCall {
                text: (),
                id: tool_call.id.wire().into_owned(),
                name: tool_call.function.name.to_string(),
                arguments: tool_call.function.arguments,
            },
            MultiTurnStreamItem::ToolResult { tool_result } => Chunk::ToolResult {
                text: (),
                id: tool_result.call.wire().into_owned(),
                name: tool_result.name.to_string(),
                result: convert::tool_result_text(&tool_result.content),
                is_error: tool_result.is_error,
            },
            MultiTurnStreamItem::FinalResponse(response) => {
                Chunk::Final(convert::JsAgentResponse::new(&response))
            }
            _ => return,
        };
        out.push(&chunk);
    }
}

/// One chunk as the TypeScript `StreamChunk` union describes it. `text` is
/// `null` (`()`) on chunks that carry no answer text.
#[derive(Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum Chunk {
    Text {
        text: String,
    },
    Reasoning {
        text: (),
        reasoning: String,
    },
    ToolCallDelta {
        text: (),
        name: String,
        arguments_delta: String,
    },
    ToolCall {
        text: (),
        id: String,
        name: String,
        arguments: serde_json::Map<String, Value>,
    },
    ToolResult {
        text: (),
        id: String,
        name: String,
        result: String,
        is_error: bool,
    },
    Final(convert::JsAgentResponse),
}

/// A JSON array of chunks, written as they come.
#[derive(Default)]
struct Batch {
    json: Vec<u8>,
    len: usize,
}

impl Batch {
    fn push(&mut self, chunk: &Chunk) {
        self.json.push(if self.len == 0 { b'[' } else { b',' });
        // Writing to a Vec cannot fail, and a Chunk always serialises.
        let _ = serde_json::to_writer(&mut self.json, chunk);
        self.len += 1;
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn finish(mut self) -> String {
        self.json.push(b']');
        String::from_utf8(self.json).unwrap_or_default()
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

async fn next_batch(state: Rc<RefCell<AgentStream>>) -> Result<String, BindError> {
    let taken = {
        let mut guard = state.borrow_mut();
        if guard.reading {
            return Err(BindError::new(
                ErrorCode::InvalidArgument,
                "next() was called while another read was pending",
            ));
        }
        if let Some(error) = guard.pending_error.take() {
            return Err(error);
        }
        if guard.cancelled {
            None
        } else {
            guard.reading = true;
            guard.stream.take()
        }
    };
    let Some(mut stream) = taken else {
        return Ok("null".to_owned());
    };
    let _reading = Reading(state.clone());
    let mut out = Batch::default();
    let mut failure = None;
    let mut finished = false;
    match stream.next().await {
        None => finished = true,
        Some(Err(error)) => failure = Some(error),
        Some(Ok(item)) => {
            state.borrow_mut().push(item, &mut out);
            // Drain what is ready without waiting: one crossing per batch.
            while out.len < MAX_BATCH {
                match stream.next().now_or_never() {
                    Some(Some(Ok(item))) => state.borrow_mut().push(item, &mut out),
                    Some(Some(Err(error))) => {
                        failure = Some(error);
                        break;
                    }
                    Some(None) => {
                        finished = true;
                        break;
                    }
                    None => break,
                }
            }
        }
    }
    let mut guard = state.borrow_mut();
    if let Some(error) = failure {
        // Nothing more will come. Chunks that arrived before the failure go
        // out first; the error follows on the next read.
        let error = guard.error(from_prompt_error(&error, &guard.provider));
        if out.is_empty() {
            return Err(error);
        }
        guard.pending_error = Some(error);
        return Ok(out.finish());
    }
    if !finished && !guard.cancelled {
        guard.stream = Some(stream);
    }
    if out.is_empty() {
        return Ok("null".to_owned());
    }
    Ok(out.finish())
}

#[wasm_bindgen]
impl WasmStream {
    /// Resolves to JSON: an array of the chunks ready now, or `null` at the end.
    pub fn next(&self) -> Promise {
        let state = self.state.clone();
        let ctx = state.borrow().ctx.clone();
        promise_json(async move { abortable(&ctx, next_batch(state)).await })
    }

    /// Stop the stream and the request behind it.
    pub fn cancel(&self) {
        let mut guard = self.state.borrow_mut();
        guard.cancelled = true;
        guard.stream = None;
    }
}
