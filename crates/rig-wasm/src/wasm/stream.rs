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
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use super::{abortable, promise_json};
use crate::convert::{self, JsUsage};
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

    /// Append the JavaScript chunks for `item` to `out`.
    fn push(&mut self, item: MultiTurnStreamItem, out: &mut Vec<Value>) {
        match item {
            MultiTurnStreamItem::StreamAssistantItem(Item::Event(event)) => match event {
                StreamEvent::Text { text, .. } => {
                    out.push(json!({"type": "text", "text": text}));
                }
                StreamEvent::Reasoning { text, .. } => {
                    out.push(json!({"type": "reasoning", "text": Value::Null, "reasoning": text}));
                }
                StreamEvent::Start {
                    part,
                    kind: PartKind::ToolCall,
                    name,
                } => {
                    let name = name.map(|n| n.to_string()).unwrap_or_default();
                    self.tool_parts.insert(part, name);
                }
                StreamEvent::Arguments { part, json } => {
                    let name = self.tool_parts.get(&part).cloned().unwrap_or_default();
                    out.push(json!({
                        "type": "toolCallDelta",
                        "text": Value::Null,
                        "name": name,
                        "argumentsDelta": json,
                    }));
                }
                _ => {}
            },
            MultiTurnStreamItem::ToolCall { tool_call } => {
                out.push(json!({
                    "type": "toolCall",
                    "text": Value::Null,
                    "id": tool_call.id.wire(),
                    "name": tool_call.function.name.to_string(),
                    "arguments": Value::Object(tool_call.function.arguments.clone()),
                }));
            }
            MultiTurnStreamItem::ToolResult { tool_result } => {
                let result = tool_result
                    .content
                    .iter()
                    .map(|content| match content {
                        rig_core::completion::message::ToolResultContent::Text(text) => {
                            text.text.clone()
                        }
                        other => serde_json::to_string(other).unwrap_or_default(),
                    })
                    .collect::<Vec<_>>()
                    .join("");
                out.push(json!({
                    "type": "toolResult",
                    "text": Value::Null,
                    "id": tool_result.call.wire(),
                    "name": tool_result.name.to_string(),
                    "result": result,
                    "isError": tool_result.is_error,
                }));
            }
            MultiTurnStreamItem::FinalResponse(response) => {
                let messages: Vec<Value> =
                    response.messages.iter().map(convert::js_message).collect();
                out.push(json!({
                    "type": "final",
                    "text": response.output(),
                    "usage": JsUsage::from(&response.usage),
                    "messages": messages,
                }));
            }
            _ => {}
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
    let mut out = Vec::new();
    let mut failure = None;
    let mut finished = false;
    match stream.next().await {
        None => finished = true,
        Some(Err(error)) => failure = Some(error),
        Some(Ok(item)) => {
            state.borrow_mut().push(item, &mut out);
            // Drain what is ready without waiting: one crossing per batch.
            while out.len() < MAX_BATCH {
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
        return Ok(Value::Array(out).to_string());
    }
    if !finished && !guard.cancelled {
        guard.stream = Some(stream);
    }
    if out.is_empty() {
        return Ok("null".to_owned());
    }
    Ok(Value::Array(out).to_string())
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
