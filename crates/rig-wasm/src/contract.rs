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
    #[cfg_attr(test, ts(optional, type = "string | null"))]
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

// ---------------------------------------------------------------------------
// Inbound shapes. JavaScript sends these as JSON; `options.rs` and
// `convert.rs` read them field by field (for messages that name the field at
// fault), and the tests below hold those readers to these declarations.

/// How to reach a provider: every agent and model takes these.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInput {
    /// The provider's API key. Optional when `baseURL` points at a proxy.
    pub api_key: Option<String>,
    /// Send requests here instead of the provider's default endpoint.
    #[serde(rename = "baseURL")]
    pub base_url: Option<String>,
    /// Extra headers on every request.
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    /// Retries on connection errors and retryable statuses (default 2; 0 disables).
    pub max_retries: Option<u32>,
    /// Default timeout of every call, in milliseconds.
    pub timeout_ms: Option<f64>,
    /// How long a streamed reply may send nothing while it is being read
    /// before the call fails with a `TimeoutError` (default 300 000).
    pub stream_idle_timeout_ms: Option<f64>,
}

/// Which endpoint a provider's models use.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiName {
    /// OpenAI's Responses API.
    Responses,
    /// OpenAI's Chat Completions.
    Chat,
    /// An Anthropic-format Messages endpoint.
    Messages,
}

/// A document given to the model as context.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentData {
    pub id: Option<String>,
    pub text: String,
    /// Extra properties, rendered before the text.
    pub additional_props: Option<std::collections::BTreeMap<String, String>>,
}

/// A document, or its text alone.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DocumentInput {
    Text(String),
    Document(DocumentData),
}

/// Where an agent finds documents for each prompt (the store itself stays
/// in JavaScript).
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DynamicContextInput {
    /// How many documents to retrieve per prompt (default 3).
    pub sample: Option<u32>,
}

/// `new Agent({...})`, the parts that cross to Rust.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentInput {
    #[serde(flatten)]
    pub connection: ConnectionInput,
    /// The model id, e.g. `"gpt-4o"`.
    pub model: String,
    pub api: Option<ApiName>,
    /// The system prompt.
    pub preamble: Option<String>,
    /// Sampling temperature, 0 to 2.
    pub temperature: Option<f64>,
    /// The most tokens the model may produce per turn.
    pub max_tokens: Option<u32>,
    /// Provider-specific request fields, merged into each request.
    #[cfg_attr(test, ts(optional, type = "Record<string, unknown>"))]
    pub additional_params: Option<Map<String, Value>>,
    /// Model calls per prompt, tool rounds included (default 10).
    pub max_turns: Option<u32>,
    /// Documents given with every prompt.
    pub context: Option<Vec<DocumentInput>>,
    pub dynamic_context: Option<DynamicContextInput>,
}

/// `new CompletionModel({...})`.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionModelInput {
    #[serde(flatten)]
    pub connection: ConnectionInput,
    pub model: String,
    pub api: Option<ApiName>,
}

/// `new EmbeddingModel({...})`.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddingModelInput {
    #[serde(flatten)]
    pub connection: ConnectionInput,
    /// The embedding model id, e.g. `"text-embedding-3-small"`.
    pub model_name: String,
    /// Output dimensions, for models that can shorten their vectors.
    pub dimensions: Option<u32>,
}

/// Options of one agent call (`prompt`, `chat`, `generate`, `promptStream`).
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentCallInput {
    #[serde(flatten)]
    pub call: ModelCallInput,
    /// Model calls for this prompt (overrides the agent's `maxTurns`).
    pub max_turns: Option<u32>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
}

/// Options of one model call (`completion`, `embedText`, `embedTexts`); an
/// agent call takes these too.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelCallInput {
    /// Retries for this call (default: the model's `maxRetries`).
    pub max_retries: Option<u32>,
    /// Fails the call with a `TimeoutError` after this many milliseconds.
    pub timeout_ms: Option<f64>,
}

/// Azure's own options.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureInput {
    /// Your resource endpoint, e.g. `https://my-resource.openai.azure.com`.
    pub endpoint: Option<String>,
    /// The deployment (Azure's name for the model).
    pub deployment: Option<String>,
    /// The `api-version` query parameter (default 2024-10-21).
    pub api_version: Option<String>,
}

/// Ollama's own options.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OllamaInput {
    /// The daemon's address (default http://localhost:11434).
    pub host: Option<String>,
}

/// An OpenAI-compatible server's own options.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CompatibleInput {
    /// The provider name errors report (default `"compatible"`).
    pub name: Option<String>,
}

/// What the model is told about a tool.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolDefinitionInput {
    /// 1–64 characters of a-z, A-Z, 0-9, `_` or `-`, unique among the tools.
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments.
    #[cfg_attr(test, ts(type = "Record<string, unknown>"))]
    pub parameters: Map<String, Value>,
}

/// A text part of a message.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextContent {
    pub r#type: TextTag,
    pub text: String,
    /// The provider's own item for this block, as rig-wasm returned it.
    #[cfg_attr(test, ts(optional, type = "unknown"))]
    pub native: Option<Value>,
}

/// A tool call the assistant made.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolCallContent {
    pub r#type: ToolCallTag,
    pub id: String,
    pub name: String,
    /// The arguments object (or its JSON text).
    #[cfg_attr(test, ts(type = "Record<string, unknown> | string"))]
    pub arguments: Value,
    #[cfg_attr(test, ts(optional, type = "unknown"))]
    pub native: Option<Value>,
}

/// The result of a tool call, sent back on a user turn.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolResultContent {
    pub r#type: ToolResultTag,
    /// The id of the call this answers.
    pub id: String,
    pub name: Option<String>,
    pub content: String,
    pub is_error: Option<bool>,
}

/// Reasoning the model showed; with `native`, the provider takes its own
/// reasoning item back.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReasoningContent {
    pub r#type: ReasoningTag,
    pub text: String,
    pub redacted: Option<bool>,
    #[cfg_attr(test, ts(optional, type = "unknown"))]
    pub native: Option<Value>,
}

macro_rules! tag {
    ($name:ident, $text:literal) => {
        #[doc = concat!("The tag `\"", $text, "\"`.")]
        #[cfg_attr(test, derive(TS))]
        #[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
        pub enum $name {
            #[serde(rename = $text)]
            #[cfg_attr(test, ts(rename = $text))]
            Tag,
        }
    };
}
tag!(TextTag, "text");
tag!(ToolCallTag, "toolCall");
tag!(ToolResultTag, "toolResult");
tag!(ReasoningTag, "reasoning");

/// A part of a user message.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserContent {
    Text(TextContent),
    ToolResult(ToolResultContent),
}

/// A part of an assistant message.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AssistantContent {
    Text(TextContent),
    ToolCall(ToolCallContent),
    Reasoning(ReasoningContent),
}

/// A message's content: its text alone, or its parts.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserMessageContent {
    Text(String),
    Parts(Vec<UserContent>),
}

#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AssistantMessageContent {
    Text(String),
    Parts(Vec<AssistantContent>),
}

#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SystemMessageContent {
    Text(String),
    Parts(Vec<TextContent>),
}

/// One message of a conversation. In a history a bare string is a text
/// message whose role alternates with the one before it (the first is the
/// user's): `["Hi", "Hello!"]`.
#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MessageInput {
    Text(String),
    Role(RoleMessage),
}

#[cfg_attr(test, derive(TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum RoleMessage {
    User {
        content: UserMessageContent,
    },
    Assistant {
        content: AssistantMessageContent,
        /// As rig-wasm returned it with the turn.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(test, ts(optional, type = "unknown"))]
        origin: Option<Value>,
    },
    System {
        content: SystemMessageContent,
    },
}

/// A single low-level completion call: no agent loop, no tool execution.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionRequestInput {
    pub preamble: Option<String>,
    /// The conversation; the last message is the prompt.
    pub messages: Vec<MessageInput>,
    pub documents: Option<Vec<DocumentInput>>,
    pub tools: Option<Vec<ToolDefinitionInput>>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
    #[cfg_attr(test, ts(optional, type = "Record<string, unknown>"))]
    pub additional_params: Option<Map<String, Value>>,
}

/// What a JavaScript vector store is asked by an agent's dynamic context.
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreQuery {
    /// The prompt's text.
    pub query: String,
    /// How many results.
    pub samples: u64,
    /// The lowest score a result may have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
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
            decl::<ConnectionInput>(&cfg),
            decl::<ApiName>(&cfg),
            decl::<DocumentData>(&cfg),
            decl::<DocumentInput>(&cfg),
            decl::<DynamicContextInput>(&cfg),
            decl::<AgentInput>(&cfg),
            decl::<CompletionModelInput>(&cfg),
            decl::<EmbeddingModelInput>(&cfg),
            decl::<AgentCallInput>(&cfg),
            decl::<ModelCallInput>(&cfg),
            decl::<AzureInput>(&cfg),
            decl::<OllamaInput>(&cfg),
            decl::<CompatibleInput>(&cfg),
            decl::<ToolDefinitionInput>(&cfg),
            decl::<TextTag>(&cfg),
            decl::<ToolCallTag>(&cfg),
            decl::<ToolResultTag>(&cfg),
            decl::<ReasoningTag>(&cfg),
            decl::<TextContent>(&cfg),
            decl::<ToolCallContent>(&cfg),
            decl::<ToolResultContent>(&cfg),
            decl::<ReasoningContent>(&cfg),
            decl::<UserContent>(&cfg),
            decl::<AssistantContent>(&cfg),
            decl::<UserMessageContent>(&cfg),
            decl::<AssistantMessageContent>(&cfg),
            decl::<SystemMessageContent>(&cfg),
            decl::<RoleMessage>(&cfg),
            decl::<MessageInput>(&cfg),
            decl::<CompletionRequestInput>(&cfg),
            decl::<StoreQuery>(&cfg),
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
