//! Every shape that crosses between this crate and the TypeScript package.
//!
//! These Rust types are the one source: `packages/rig-wasm/src/contract.ts`
//! is generated from them (`cargo test -p rig-wasm contract`, with
//! `UPDATE_CONTRACT=1` to rewrite it), and the test fails when the checked-in
//! file has drifted. Outbound values are serialised from these types, never
//! built by hand; inbound JSON is checked by the readers in `options.rs` and
//! `convert.rs`, whose round trips against these types are tested here.
//!
//! JSON cannot carry `NaN`, `Infinity` or a `BigInt`: the TypeScript side
//! rejects them (an `InvalidArgumentError` naming the path) before anything
//! is sent, so no number here is ever a stand-in for one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[cfg(test)]
use ts_rs::TS;

/// Token counts of a call (an agent run sums its model calls).
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub total_tokens: u64,
}

/// A part of a message's content, as rig-wasm returns it. The same parts are
/// accepted back in a history (`native` included), so a conversation can
/// continue from any response.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ContentPart {
    /// Text.
    Text {
        text: String,
        /// The provider's own item for this block, sent back as it came.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(test, ts(optional, type = "unknown"))]
        native: Option<Value>,
    },
    /// A tool call the assistant made.
    ToolCall {
        /// The provider's call id (or one Rig issued when it sent none).
        id: String,
        name: String,
        #[cfg_attr(test, ts(type = "Record<string, unknown>"))]
        arguments: Map<String, Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(test, ts(optional, type = "unknown"))]
        native: Option<Value>,
    },
    /// The result of a tool call, on a user turn.
    ToolResult {
        /// The id of the call this answers.
        id: String,
        name: String,
        content: String,
        is_error: bool,
    },
    /// Reasoning the model showed.
    Reasoning {
        text: String,
        /// Whether the provider withheld the text (`text` is then empty).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        #[cfg_attr(test, ts(as = "Option<bool>", optional))]
        redacted: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(test, ts(optional, type = "unknown"))]
        native: Option<Value>,
    },
}

/// A message as rig-wasm returns it (`AgentResponse.messages`).
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum ResponseMessage {
    System {
        content: Vec<ContentPart>,
    },
    User {
        content: Vec<ContentPart>,
    },
    Assistant {
        content: Vec<ContentPart>,
        /// Which provider, API and model produced the turn. Sent back with
        /// the turn, it lets that provider take its own items (reasoning
        /// signatures, item ids) again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(test, ts(optional, type = "unknown"))]
        origin: Option<Value>,
    },
}

/// What an agent run resolves to.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentResponse {
    /// The final answer.
    pub text: String,
    /// Summed over every model call of the run.
    pub usage: Usage,
    /// The messages the run added (tool calls and results included): pass
    /// them back in a history to continue the conversation.
    pub messages: Vec<ResponseMessage>,
}

/// What one low-level completion call resolves to.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionResponse {
    /// The assistant's content blocks, in order.
    pub choice: Vec<ContentPart>,
    /// The text blocks joined.
    pub text: String,
    pub usage: Usage,
    #[cfg_attr(test, ts(type = "string | null"))]
    pub request_id: Option<String>,
}

/// Why a model call stopped.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FinishReason {
    Stop,
    Length,
    ToolCalls,
    ContentFilter,
    Other,
}

/// One part of a streamed run. Parts of one text, reasoning or tool-call
/// block share an `id` (unique within the stream); `text` is the answer's
/// text on `textDelta` parts and `null` on every other, so printing every
/// non-null `text` prints exactly the model's answer.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum StreamPart {
    /// A block of answer text begins.
    TextStart {
        id: String,
        text: (),
    },
    /// The next piece of the answer's text.
    TextDelta {
        id: String,
        text: String,
    },
    /// The block of answer text is complete.
    TextEnd {
        id: String,
        text: (),
    },
    ReasoningStart {
        id: String,
        text: (),
    },
    /// The next piece of the model's reasoning.
    ReasoningDelta {
        id: String,
        text: (),
        delta: String,
    },
    ReasoningEnd {
        id: String,
        text: (),
    },
    /// The model began a tool call.
    ToolCallStart {
        id: String,
        tool_name: String,
        text: (),
    },
    /// The next piece of the call's arguments (JSON text, joined in order).
    ToolCallDelta {
        id: String,
        tool_name: String,
        text: (),
        delta: String,
    },
    /// The call is complete: the provider's call id and the parsed arguments.
    ToolCallEnd {
        id: String,
        tool_name: String,
        call_id: String,
        #[cfg_attr(test, ts(type = "Record<string, unknown>"))]
        arguments: Map<String, Value>,
        text: (),
    },
    /// A tool ran (or failed: `isError`, with the error text the model saw).
    ToolResult {
        call_id: String,
        tool_name: String,
        result: String,
        is_error: bool,
        text: (),
    },
    /// One model call finished (an agent run may make several).
    StepFinish {
        /// 0-based index of the model call in the run.
        step: u32,
        usage: Usage,
        #[cfg_attr(test, ts(type = "FinishReason | null"))]
        finish_reason: Option<FinishReason>,
        text: (),
    },
    /// The run finished: the whole answer, the usage of every call, and the
    /// messages it added.
    Finish {
        output: String,
        usage: Usage,
        messages: Vec<ResponseMessage>,
        text: (),
    },
    /// The run failed; the stream errors with this error right after.
    Error {
        error: crate::error::BindError,
        text: (),
    },
}

/// What one read of a stream returns: the parts ready now, and whether the
/// stream has ended (after them).
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamBatch {
    pub parts: Vec<StreamPart>,
    pub done: bool,
}

/// A provider of this build.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInfo {
    pub id: String,
    pub completion: bool,
    pub embeddings: bool,
    pub key_required: bool,
}

/// JSON text of a value the binding built (its own types always serialise).
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{BindError, ErrorCode};

    /// `T`'s declaration as ts-rs writes it, exported, its doc comment
    /// first and each member of a union on its own line.
    fn decl<T: TS>(cfg: &ts_rs::Config) -> String {
        let mut out = T::docs().unwrap_or_default();
        out.push_str("export ");
        out.push_str(&T::decl(cfg).replace(" } | { ", " }\n  | { "));
        out.push('\n');
        out
    }

    /// The TypeScript declarations of every contract type, in one module.
    fn declarations() -> String {
        let cfg = ts_rs::Config::new().with_large_int("number");
        let decls = [
            decl::<ErrorCode>(&cfg),
            decl::<BindError>(&cfg),
            decl::<Usage>(&cfg),
            decl::<ContentPart>(&cfg),
            decl::<ResponseMessage>(&cfg),
            decl::<AgentResponse>(&cfg),
            decl::<CompletionResponse>(&cfg),
            decl::<FinishReason>(&cfg),
            decl::<StreamPart>(&cfg),
            decl::<StreamBatch>(&cfg),
            decl::<ProviderInfo>(&cfg),
        ];
        let mut out = String::from(
            "// Generated from crates/rig-wasm/src/contract.rs and error.rs by\n\
             // `UPDATE_CONTRACT=1 cargo test -p rig-wasm contract`. Do not edit.\n",
        );
        for decl in decls {
            out.push('\n');
            out.push_str(&decl);
        }
        out
    }

    #[test]
    fn contract_declarations_are_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../packages/rig-wasm/src/contract.ts"
        );
        let fresh = declarations();
        if std::env::var_os("UPDATE_CONTRACT").is_some() {
            std::fs::write(path, &fresh).unwrap();
        }
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in == fresh,
            "packages/rig-wasm/src/contract.ts is out of date: run `UPDATE_CONTRACT=1 cargo test -p rig-wasm contract`"
        );
    }

    #[test]
    fn stream_parts_serialise_as_typescript_expects() {
        let delta = StreamPart::TextDelta {
            id: "0:0".into(),
            text: "Hi".into(),
        };
        assert_eq!(
            to_json(&delta),
            r#"{"type":"textDelta","id":"0:0","text":"Hi"}"#
        );
        let end = StreamPart::ToolCallEnd {
            id: "0:1".into(),
            tool_name: "add".into(),
            call_id: "call_1".into(),
            arguments: serde_json::from_str(r#"{"a":1}"#).unwrap(),
            text: (),
        };
        assert_eq!(
            to_json(&end),
            r#"{"type":"toolCallEnd","id":"0:1","toolName":"add","callId":"call_1","arguments":{"a":1},"text":null}"#
        );
        let error = StreamPart::Error {
            error: BindError::new(ErrorCode::ServerError, "boom"),
            text: (),
        };
        let back: StreamPart = serde_json::from_str(&to_json(&error)).unwrap();
        assert_eq!(back, error);
    }

    #[test]
    fn every_part_round_trips() {
        let parts = vec![
            ContentPart::Text {
                text: "a".into(),
                native: Some(serde_json::json!({"id": "msg_1"})),
            },
            ContentPart::ToolCall {
                id: "c".into(),
                name: "t".into(),
                arguments: Map::new(),
                native: None,
            },
            ContentPart::ToolResult {
                id: "c".into(),
                name: "t".into(),
                content: "3".into(),
                is_error: false,
            },
            ContentPart::Reasoning {
                text: "hm".into(),
                redacted: false,
                native: None,
            },
        ];
        for part in parts {
            let json = to_json(&part);
            assert_eq!(serde_json::from_str::<ContentPart>(&json).unwrap(), part);
        }
    }
}
