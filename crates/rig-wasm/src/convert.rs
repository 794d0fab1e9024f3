//! Conversions between the JSON shapes JavaScript users write and Rig's types.
//!
//! Inbound: chat history (`Message[]` in the `{role, content}` shape
//! or plain strings), documents, tool definitions and low-level completion
//! requests. Outbound: completion responses, usage and stream chunks, as the
//! camelCase JSON the TypeScript types describe. Platform independent.

use std::collections::HashMap;

use rig_core::completion::message::{
    AssistantContent, AssistantMessage, CallId, Message, ToolName, ToolResultContent, UserContent,
};
use rig_core::completion::{Document, ToolDefinition, Usage};
use serde_json::{json, Map, Value};

use crate::contract::{self, ContentPart, ResponseMessage};
use crate::error::BindError;
use crate::options::{document, type_name, DocumentData};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    User,
    Assistant,
}

/// Chat history from JSON text: an array of messages.
///
/// A message is `{role: "user" | "assistant" | "system", content}` where
/// `content` is a string or an array of parts (`{type: "text", text}`,
/// `{type: "toolCall", id, name, arguments}` on assistant turns,
/// `{type: "toolResult", id, name?, content}` on user turns). A bare string
/// is a text message whose role alternates with the message before it
/// (the first is the user's), so `["Hi", "Hello!"]` is one exchange.
pub fn history(json: &str, field: &str) -> Result<Vec<Message>, BindError> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| BindError::invalid(field, format!("could not be read: {e}")))?;
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(BindError::invalid(
                field,
                format!("must be an array of messages, got {}", type_name(&other)),
            ))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    let mut previous: Option<Role> = None;
    for (index, item) in items.iter().enumerate() {
        let path = format!("{field}[{index}]");
        let (message, role) = message(item, previous, &path)?;
        if role.is_some() {
            previous = role;
        }
        out.push(message);
    }
    Ok(out)
}

fn message(
    value: &Value,
    previous: Option<Role>,
    path: &str,
) -> Result<(Message, Option<Role>), BindError> {
    match value {
        Value::String(text) => {
            let role = match previous {
                Some(Role::User) => Role::Assistant,
                _ => Role::User,
            };
            let message = match role {
                Role::User => Message::user(text.clone()),
                Role::Assistant => Message::assistant(text.clone()),
            };
            Ok((message, Some(role)))
        }
        Value::Object(map) => {
            let role = match map.get("role") {
                Some(Value::String(role)) => role.as_str(),
                Some(other) => {
                    return Err(BindError::invalid(
                        format!("{path}.role"),
                        format!("must be a string, got {}", type_name(other)),
                    ))
                }
                None => return Err(BindError::invalid(format!("{path}.role"), "is required")),
            };
            let content = map
                .get("content")
                .ok_or_else(|| BindError::invalid(format!("{path}.content"), "is required"))?;
            let content_path = format!("{path}.content");
            match role {
                "system" => {
                    let text = joined_text(content, &content_path)?;
                    Ok((Message::system(text), None))
                }
                "user" => {
                    let parts = user_parts(content, &content_path)?;
                    Ok((Message::User { content: parts }, Some(Role::User)))
                }
                "assistant" => {
                    let parts = assistant_parts(content, &content_path)?;
                    let mut turn = AssistantMessage::new(parts);
                    // A turn rig-wasm returned names its origin, so the
                    // provider that made it takes its own items back.
                    if let Some(origin) = map.get("origin").filter(|v| !v.is_null()) {
                        turn.origin =
                            Some(serde_json::from_value(origin.clone()).map_err(|e| {
                                BindError::invalid(
                                    format!("{path}.origin"),
                                    format!("is not an origin rig-wasm returned ({e})"),
                                )
                            })?);
                    }
                    Ok((Message::Assistant(turn), Some(Role::Assistant)))
                }
                other => Err(BindError::invalid(
                    format!("{path}.role"),
                    format!("must be \"user\", \"assistant\" or \"system\", got \"{other}\""),
                )),
            }
        }
        other => Err(BindError::invalid(
            path,
            format!(
                "must be a message ({{role, content}}) or a string, got {}",
                type_name(other)
            ),
        )),
    }
}

/// Content parts with their index in the array.
type Parts<'a> = Vec<(usize, &'a Map<String, Value>)>;

/// The parts of a content value: a string is one text part.
fn parts<'a>(content: &'a Value, path: &str) -> Result<Parts<'a>, BindError> {
    match content {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(map) => Ok((i, map)),
                other => Err(BindError::invalid(
                    format!("{path}[{i}]"),
                    format!("must be a content part object, got {}", type_name(other)),
                )),
            })
            .collect(),
        other => Err(BindError::invalid(
            path,
            format!(
                "must be a string or an array of parts, got {}",
                type_name(other)
            ),
        )),
    }
}

fn part_type<'a>(map: &'a Map<String, Value>, path: &str) -> Result<&'a str, BindError> {
    match map.get("type") {
        Some(Value::String(kind)) => Ok(kind.as_str()),
        None => Err(BindError::invalid(format!("{path}.type"), "is required")),
        Some(other) => Err(BindError::invalid(
            format!("{path}.type"),
            format!("must be a string, got {}", type_name(other)),
        )),
    }
}

fn str_field(map: &Map<String, Value>, name: &str, path: &str) -> Result<String, BindError> {
    match map.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        None | Some(Value::Null) => {
            Err(BindError::invalid(format!("{path}.{name}"), "is required"))
        }
        Some(other) => Err(BindError::invalid(
            format!("{path}.{name}"),
            format!("must be a string, got {}", type_name(other)),
        )),
    }
}

fn joined_text(content: &Value, path: &str) -> Result<String, BindError> {
    if let Value::String(text) = content {
        return Ok(text.clone());
    }
    let mut text = String::new();
    for (i, map) in parts(content, path)? {
        let part_path = format!("{path}[{i}]");
        match part_type(map, &part_path)? {
            "text" => text.push_str(&str_field(map, "text", &part_path)?),
            other => {
                return Err(BindError::invalid(
                    format!("{part_path}.type"),
                    format!("\"{other}\" is not allowed in a system message (only text)"),
                ))
            }
        }
    }
    Ok(text)
}

fn tool_name(name: String, path: &str) -> Result<ToolName, BindError> {
    ToolName::new(name).map_err(|_| BindError::invalid(format!("{path}.name"), "must not be empty"))
}

fn user_parts(content: &Value, path: &str) -> Result<Vec<UserContent>, BindError> {
    if let Value::String(text) = content {
        return Ok(vec![UserContent::text(text.clone())]);
    }
    let mut out = Vec::new();
    for (i, map) in parts(content, path)? {
        let part_path = format!("{path}[{i}]");
        match part_type(map, &part_path)? {
            "text" => out.push(UserContent::text(str_field(map, "text", &part_path)?)),
            "toolResult" | "tool_result" => {
                let id = str_field(map, "id", &part_path)?;
                let name = match map.get("name") {
                    Some(Value::String(name)) if !name.is_empty() => name.clone(),
                    _ => "tool".to_owned(),
                };
                let result = match map.get("content") {
                    Some(Value::String(text)) => ToolResultContent::text(text.clone()),
                    Some(Value::Null) | None => ToolResultContent::text(String::new()),
                    Some(other) => ToolResultContent::text(other.to_string()),
                };
                out.push(UserContent::tool_result(
                    CallId::from_wire(id),
                    tool_name(name, &part_path)?,
                    vec![result],
                ));
            }
            other => {
                return Err(BindError::invalid(
                    format!("{part_path}.type"),
                    format!("\"{other}\" is not a supported user content type (text, toolResult)"),
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(BindError::invalid(path, "must not be empty"));
    }
    Ok(out)
}

fn assistant_parts(content: &Value, path: &str) -> Result<Vec<AssistantContent>, BindError> {
    if let Value::String(text) = content {
        return Ok(vec![AssistantContent::text(text.clone())]);
    }
    let mut out = Vec::new();
    for (i, map) in parts(content, path)? {
        let part_path = format!("{path}[{i}]");
        let content = match part_type(map, &part_path)? {
            "text" => AssistantContent::text(str_field(map, "text", &part_path)?),
            "toolCall" | "tool_call" => {
                let id = str_field(map, "id", &part_path)?;
                let name = tool_name(str_field(map, "name", &part_path)?, &part_path)?;
                let arguments = match map.get("arguments") {
                    Some(Value::String(text)) => {
                        serde_json::from_str(text).unwrap_or_else(|_| json!({}))
                    }
                    Some(Value::Object(args)) => Value::Object(args.clone()),
                    _ => json!({}),
                };
                AssistantContent::tool_call(id, name, arguments)
            }
            "reasoning" => {
                let mut reasoning =
                    rig_core::completion::message::Reasoning::new(str_field(map, "text", &part_path)?);
                reasoning.redacted = matches!(map.get("redacted"), Some(Value::Bool(true)));
                AssistantContent::Reasoning(reasoning)
            }
            other => {
                return Err(BindError::invalid(
                    format!("{part_path}.type"),
                    format!(
                        "\"{other}\" is not a supported assistant content type (text, toolCall, reasoning)"
                    ),
                ))
            }
        };
        // The provider's own item goes back as it came (signatures, item ids).
        let content = match map.get("native") {
            None | Some(Value::Null) => content,
            Some(item) => content.with_native(item.clone()),
        };
        out.push(content);
    }
    if out.is_empty() {
        return Err(BindError::invalid(path, "must not be empty"));
    }
    Ok(out)
}

/// Documents in the order given; one without an id becomes `<prefix><index>`.
pub fn rig_documents(inputs: &[DocumentData], prefix: &str) -> Vec<Document> {
    inputs
        .iter()
        .enumerate()
        .map(|(index, input)| Document {
            id: input
                .id
                .clone()
                .unwrap_or_else(|| format!("{prefix}{index}")),
            text: input.text.clone(),
            additional_props: input
                .additional_props
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<HashMap<_, _>>(),
        })
        .collect()
}

/// A checked tool definition: `{name, description, parameters}`.
pub fn tool_definition(value: &Value, path: &str) -> Result<ToolDefinition, BindError> {
    let Value::Object(map) = value else {
        return Err(BindError::invalid(
            path,
            format!(
                "must be a tool definition {{name, description, parameters}}, got {}",
                type_name(value)
            ),
        ));
    };
    let name = str_field(map, "name", path)?;
    if name.trim().is_empty() {
        return Err(BindError::invalid(
            format!("{path}.name"),
            "must not be empty",
        ));
    }
    let valid_name = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_name || name.len() > 64 {
        return Err(BindError::invalid(
            format!("{path}.name"),
            format!("\"{name}\" must be 1-64 characters of a-z, A-Z, 0-9, _ or -"),
        ));
    }
    let description = match map.get("description") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => {
            return Err(BindError::invalid(
                format!("{path}.description"),
                format!("must be a string, got {}", type_name(other)),
            ))
        }
    };
    let parameters = match map.get("parameters") {
        None | Some(Value::Null) => json!({"type": "object", "properties": {}}),
        Some(Value::Object(schema)) => Value::Object(schema.clone()),
        Some(other) => {
            return Err(BindError::invalid(
                format!("{path}.parameters"),
                format!("must be a JSON Schema object, got {}", type_name(other)),
            ))
        }
    };
    Ok(ToolDefinition::new(
        tool_name(name, path)?,
        description,
        parameters,
    ))
}

/// A list of tool definitions from JSON text.
pub fn tool_definitions(json: &str, field: &str) -> Result<Vec<ToolDefinition>, BindError> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| BindError::invalid(field, format!("could not be read: {e}")))?;
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(BindError::invalid(
                field,
                format!("must be an array, got {}", type_name(&other)),
            ))
        }
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let definition = tool_definition(item, &format!("{field}[{index}]"))?;
        if !seen.insert(definition.name.to_string()) {
            return Err(BindError::invalid(
                format!("{field}[{index}].name"),
                format!("\"{}\" is used by more than one tool", definition.name),
            ));
        }
        out.push(definition);
    }
    Ok(out)
}

/// A low-level `CompletionRequest` from JSON text:
/// `{preamble?, messages, documents?, tools?, temperature?, maxTokens?, additionalParams?}`.
/// The last message is the prompt.
pub fn completion_request(
    json: &str,
) -> Result<rig_core::completion::CompletionRequest, BindError> {
    use rig_core::completion::CompletionRequest;
    let value: Value = serde_json::from_str(json)
        .map_err(|e| BindError::invalid("request", format!("could not be read: {e}")))?;
    let Value::Object(map) = value else {
        return Err(BindError::invalid(
            "request",
            format!("must be an object, got {}", type_name(&value)),
        ));
    };
    const FIELDS: &[&str] = &[
        "preamble",
        "messages",
        "documents",
        "tools",
        "temperature",
        "maxTokens",
        "additionalParams",
    ];
    if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(BindError::invalid(
            format!("request.{unknown}"),
            format!(
                "is not a field of CompletionRequest ({})",
                FIELDS.join(", ")
            ),
        ));
    }
    let messages_json = map
        .get("messages")
        .map(Value::to_string)
        .ok_or_else(|| BindError::invalid("request.messages", "is required"))?;
    let mut messages = history(&messages_json, "request.messages")?;
    let prompt = messages
        .pop()
        .ok_or_else(|| BindError::invalid("request.messages", "must hold at least one message"))?;
    let mut request = CompletionRequest::new(prompt).messages(messages);
    match map.get("preamble") {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => request = request.preamble(text.clone()),
        Some(other) => {
            return Err(BindError::invalid(
                "request.preamble",
                format!("must be a string, got {}", type_name(other)),
            ))
        }
    }
    if let Some(docs) = map.get("documents").filter(|v| !v.is_null()) {
        let Value::Array(items) = docs else {
            return Err(BindError::invalid(
                "request.documents",
                format!("must be an array, got {}", type_name(docs)),
            ));
        };
        let inputs = items
            .iter()
            .enumerate()
            .map(|(i, item)| document(item, &format!("request.documents[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        request = request.documents(rig_documents(&inputs, "doc_"));
    }
    if let Some(tools) = map.get("tools").filter(|v| !v.is_null()) {
        request = request.tools(tool_definitions(&tools.to_string(), "request.tools")?);
    }
    let mut numbers = Map::new();
    for key in ["temperature", "maxTokens"] {
        if let Some(value) = map.get(key) {
            numbers.insert(key.to_owned(), value.clone());
        }
    }
    let checked = crate::options::CallOptions::parse(
        &Value::Object(numbers).to_string(),
        crate::options::CallKind::Agent,
    )
    .map_err(|mut e| {
        if let Some(field) = e.field.take() {
            e.message = e.message.replacen(&field, &format!("request.{field}"), 1);
            e.field = Some(format!("request.{field}"));
        }
        e
    })?;
    if let Some(t) = checked.temperature {
        request = request.temperature(t);
    }
    if let Some(n) = checked.max_tokens {
        request = request.max_tokens(n);
    }
    match map.get("additionalParams") {
        None | Some(Value::Null) => {}
        Some(Value::Object(params)) => {
            request = request.additional_params(Value::Object(params.clone()))
        }
        Some(other) => {
            return Err(BindError::invalid(
                "request.additionalParams",
                format!("must be an object, got {}", type_name(other)),
            ))
        }
    }
    Ok(request)
}

/// Token usage as JavaScript sees it.
pub fn usage(usage: &Usage) -> contract::Usage {
    let input = usage.input_tokens.unwrap_or(0);
    let output = usage.output_tokens.unwrap_or(0);
    contract::Usage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: usage.total_tokens.unwrap_or(input + output),
    }
}

/// The provider item of a block, as it is sent back in a history.
fn native_item(native: &Option<rig_core::completion::message::Native>) -> Option<Value> {
    native.as_ref().map(|native| native.item.clone())
}

/// One assistant content block as JavaScript sees it.
pub fn assistant_content(content: &AssistantContent) -> Option<ContentPart> {
    match content {
        AssistantContent::Text(text) => Some(ContentPart::Text {
            text: text.text.clone(),
            native: native_item(&text.native),
        }),
        AssistantContent::ToolCall(call) => Some(ContentPart::ToolCall {
            id: call.id.wire().into_owned(),
            name: call.function.name.to_string(),
            arguments: call.function.arguments.clone(),
            native: native_item(&call.native),
        }),
        AssistantContent::Reasoning(reasoning) => Some(ContentPart::Reasoning {
            text: reasoning.text.clone(),
            redacted: reasoning.redacted,
            native: native_item(&reasoning.native),
        }),
        _ => None,
    }
}

/// The answer text of a list of content blocks.
pub fn text_of(content: &[AssistantContent]) -> String {
    content
        .iter()
        .filter_map(|c| match c {
            AssistantContent::Text(text) => Some(text.text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("")
}

/// A tool result's content as one text (non-text parts as their JSON).
pub fn tool_result_text(content: &[ToolResultContent]) -> String {
    content
        .iter()
        .map(|c| match c {
            ToolResultContent::Text(text) => text.text.clone(),
            other => serde_json::to_string(other).unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join("")
}

/// A message as JavaScript sees it (for returned histories).
pub fn js_message(message: &Message) -> ResponseMessage {
    match message {
        Message::System { content } => ResponseMessage::System {
            content: vec![ContentPart::Text {
                text: content.clone(),
                native: None,
            }],
        },
        Message::User { content } => ResponseMessage::User {
            content: content
                .iter()
                .filter_map(|part| match part {
                    UserContent::Text(text) => Some(ContentPart::Text {
                        text: text.text.clone(),
                        native: None,
                    }),
                    UserContent::ToolResult(result) => Some(ContentPart::ToolResult {
                        id: result.call.wire().into_owned(),
                        name: result.name.to_string(),
                        content: tool_result_text(&result.content),
                        is_error: result.is_error,
                    }),
                    _ => None,
                })
                .collect(),
        },
        Message::Assistant(turn) => ResponseMessage::Assistant {
            content: turn.content.iter().filter_map(assistant_content).collect(),
            origin: turn
                .origin
                .as_ref()
                .and_then(|origin| serde_json::to_value(origin).ok()),
        },
    }
}

/// What an agent run resolves to.
pub fn agent_response(response: &rig_agent::agent::PromptResponse) -> contract::AgentResponse {
    contract::AgentResponse {
        text: response.output(),
        usage: usage(&response.usage),
        messages: response.messages.iter().map(js_message).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(messages: &[Message]) -> Vec<&'static str> {
        messages
            .iter()
            .map(|m| match m {
                Message::System { .. } => "system",
                Message::User { .. } => "user",
                Message::Assistant(_) => "assistant",
            })
            .collect()
    }

    #[test]
    fn role_content_history() {
        let json = r#"[
            {"role":"user","content":[{"type":"text","text":"Hello"}]},
            {"role":"assistant","content":[{"type":"text","text":"Hi!"}]}
        ]"#;
        let messages = history(json, "history").unwrap_or_default();
        assert_eq!(roles(&messages), ["user", "assistant"]);
        assert_eq!(
            js_message(&messages[1]),
            ResponseMessage::Assistant {
                content: vec![ContentPart::Text {
                    text: "Hi!".into(),
                    native: None
                }],
                origin: None
            }
        );
    }

    #[test]
    fn plain_strings_alternate_roles() {
        let messages = history(r#"["Hello","Hi!","How are you?"]"#, "history").unwrap_or_default();
        assert_eq!(roles(&messages), ["user", "assistant", "user"]);
        let mixed = history(
            r#"[{"role":"system","content":"be nice"},{"role":"user","content":"a"},"b"]"#,
            "history",
        )
        .unwrap_or_default();
        assert_eq!(roles(&mixed), ["system", "user", "assistant"]);
    }

    #[test]
    fn bad_history_names_the_path() {
        let cases = [
            (r#"{"role":"user"}"#, "history"),
            (r#"[{"content":"x"}]"#, "history[0].role"),
            (r#"[{"role":"robot","content":"x"}]"#, "history[0].role"),
            (
                r#"[{"role":"user","content":[{"type":"image"}]}]"#,
                "history[0].content[0].type",
            ),
            (
                r#"[{"role":"user","content":[{"type":"text"}]}]"#,
                "history[0].content[0].text",
            ),
            (r#"[{"role":"user","content":[]}]"#, "history[0].content"),
            (r#"[5]"#, "history[0]"),
        ];
        for (json, field) in cases {
            let error = history(json, "history").err();
            assert_eq!(
                error.and_then(|e| e.field).as_deref(),
                Some(field),
                "{json}"
            );
        }
    }

    #[test]
    fn tool_round_trip_in_history() {
        let json = r#"[
            {"role":"user","content":"add 1 and 2"},
            {"role":"assistant","content":[{"type":"toolCall","id":"call_1","name":"add","arguments":{"a":1,"b":2}}]},
            {"role":"user","content":[{"type":"toolResult","id":"call_1","name":"add","content":"3"}]}
        ]"#;
        let messages = history(json, "history").unwrap_or_default();
        assert_eq!(messages.len(), 3);
        let call = serde_json::to_value(js_message(&messages[1])).unwrap();
        assert_eq!(call["content"][0]["type"], "toolCall");
        assert_eq!(call["content"][0]["name"], "add");
        assert_eq!(call["content"][0]["arguments"]["b"], 2);
        let result = serde_json::to_value(js_message(&messages[2])).unwrap();
        assert_eq!(result["role"], "user");
        assert_eq!(result["content"][0]["type"], "toolResult");
        assert_eq!(result["content"][0]["content"], "3");
        assert_eq!(result["content"][0]["isError"], false);
    }

    #[test]
    fn the_history_reader_takes_every_declared_message() {
        use crate::contract::*;
        let text = |t: &str| TextContent {
            r#type: TextTag::Tag,
            text: t.into(),
            native: None,
        };
        let declared = vec![
            MessageInput::Role(RoleMessage::System {
                content: SystemMessageContent::Parts(vec![text("Be brief.")]),
            }),
            MessageInput::Text("Add 2 and 3".into()),
            MessageInput::Role(RoleMessage::Assistant {
                content: AssistantMessageContent::Parts(vec![
                    AssistantContent::Reasoning(ReasoningContent {
                        r#type: ReasoningTag::Tag,
                        text: "add them".into(),
                        redacted: Some(false),
                        native: None,
                    }),
                    AssistantContent::ToolCall(ToolCallContent {
                        r#type: ToolCallTag::Tag,
                        id: "c1".into(),
                        name: "add".into(),
                        arguments: json!({"a": 2, "b": 3}),
                        native: None,
                    }),
                ]),
                origin: None,
            }),
            MessageInput::Role(RoleMessage::User {
                content: UserMessageContent::Parts(vec![UserContent::ToolResult(
                    ToolResultContent {
                        r#type: ToolResultTag::Tag,
                        id: "c1".into(),
                        name: Some("add".into()),
                        content: "5".into(),
                        is_error: Some(false),
                    },
                )]),
            }),
            MessageInput::Role(RoleMessage::Assistant {
                content: AssistantMessageContent::Text("5".into()),
                origin: None,
            }),
            MessageInput::Role(RoleMessage::User {
                content: UserMessageContent::Parts(vec![UserContent::Text(text("Thanks"))]),
            }),
        ];
        let json = serde_json::to_string(&declared).unwrap();
        let messages = history(&json, "history").unwrap();
        assert_eq!(
            roles(&messages),
            ["system", "user", "assistant", "user", "assistant", "user"]
        );
        // What rig-wasm returns reads back as the declared input shape too.
        let back: Vec<ResponseMessage> = messages.iter().map(js_message).collect();
        let again = serde_json::to_string(&back).unwrap();
        assert!(
            serde_json::from_str::<Vec<MessageInput>>(&again).is_ok(),
            "{again}"
        );
        assert_eq!(
            roles(&history(&again, "history").unwrap()),
            roles(&messages)
        );
        // A part type the declarations do not have is refused by both.
        let unknown = r#"[{"role":"user","content":[{"type":"image","url":"x"}]}]"#;
        assert!(serde_json::from_str::<Vec<MessageInput>>(unknown).is_err());
        assert!(history(unknown, "history").is_err());
    }

    #[test]
    fn tool_definitions_are_checked() {
        let ok = tool_definitions(
            r#"[{"name":"add","description":"Add","parameters":{"type":"object"}}]"#,
            "tools",
        );
        assert_eq!(ok.map(|d| d.len()), Ok(1));
        let dup = tool_definitions(r#"[{"name":"a"},{"name":"a"}]"#, "tools").err();
        assert_eq!(dup.and_then(|e| e.field).as_deref(), Some("tools[1].name"));
        let bad_name = tool_definitions(r#"[{"name":"two words"}]"#, "tools").err();
        assert_eq!(
            bad_name.and_then(|e| e.field).as_deref(),
            Some("tools[0].name")
        );
        let bad_params = tool_definitions(r#"[{"name":"a","parameters":"x"}]"#, "tools").err();
        assert_eq!(
            bad_params.and_then(|e| e.field).as_deref(),
            Some("tools[0].parameters")
        );
    }

    #[test]
    fn documents_get_ids() {
        let inputs = vec![
            document(&json!("first"), "d").unwrap_or_else(|_| unreachable_doc()),
            document(
                &json!({"id": "x", "text": "second", "additionalProps": {"lang": "en"}}),
                "d",
            )
            .unwrap_or_else(|_| unreachable_doc()),
        ];
        let docs = rig_documents(&inputs, "static_doc_");
        assert_eq!(docs[0].id, "static_doc_0");
        assert_eq!(docs[1].id, "x");
        assert_eq!(
            docs[1].additional_props.get("lang").map(String::as_str),
            Some("en")
        );
    }

    fn unreachable_doc() -> DocumentData {
        DocumentData {
            id: Some("failed".into()),
            text: String::new(),
            additional_props: None,
        }
    }

    #[test]
    fn usage_fills_the_total() {
        let mut usage = Usage::default();
        usage.input_tokens = Some(10);
        usage.output_tokens = Some(5);
        assert_eq!(
            super::usage(&usage),
            contract::Usage {
                input_tokens: 10,
                output_tokens: 5,
                total_tokens: 15
            }
        );
    }
}
