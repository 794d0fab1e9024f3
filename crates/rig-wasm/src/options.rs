//! Options from JavaScript, parsed and validated once.
//!
//! The TypeScript layer sends options as JSON text (functions and objects it
//! handles itself are taken out first), so the shapes here are exactly the
//! JSON a user writes. Each reader checks one field and names it in the
//! error; unknown fields are rejected with a suggestion, so a typo like
//! `temprature` never silently does nothing. Platform independent: native
//! `cargo test` covers it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::BindError;

/// Which endpoint a provider's models use: OpenAI's Responses or Chat
/// Completions, or an Anthropic-format Messages endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiRoute {
    Responses,
    Chat,
    Messages,
}

impl ApiRoute {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Responses => "responses",
            Self::Chat => "chat",
            Self::Messages => "messages",
        }
    }
}

/// How to reach a provider: shared by agents, completion and embedding models.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConnectionOptions {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub max_retries: Option<u32>,
    pub timeout_ms: Option<f64>,
    /// How long a streamed reply may send nothing while read (the
    /// TypeScript transport enforces it).
    pub stream_idle_timeout_ms: Option<f64>,
    /// Azure's `api-version` query parameter.
    pub api_version: Option<String>,
    /// The provider name a `compatible` endpoint reports in errors.
    pub name: Option<String>,
}

pub use crate::contract::DocumentData;

/// Options of `new Agent({...})`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgentOptions {
    pub connection: ConnectionOptions,
    pub model: String,
    pub api: Option<ApiRoute>,
    pub preamble: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u64>,
    pub additional_params: Option<Value>,
    pub max_turns: Option<usize>,
    pub context: Vec<DocumentData>,
    /// `dynamicContext.sample`, when a store is attached.
    pub dynamic_context_sample: Option<usize>,
}

/// Options of `new CompletionModel({...})`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompletionModelOptions {
    pub connection: ConnectionOptions,
    pub model: String,
    pub api: Option<ApiRoute>,
}

/// Options of `new EmbeddingModel({...})`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbeddingModelOptions {
    pub connection: ConnectionOptions,
    pub model: String,
    pub dimensions: Option<usize>,
}

/// Per-call options (`agent.prompt(text, {...})`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOptions {
    pub max_turns: Option<usize>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u64>,
    pub max_retries: Option<u32>,
    pub timeout_ms: Option<f64>,
}

/// How a provider treats a missing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyPolicy {
    /// A key is needed unless `baseURL` points at a proxy.
    Required,
    /// A local server: no key needed.
    Optional,
}

/// What a provider allows beyond the common options.
#[derive(Clone, Copy, Debug)]
pub struct Rules<'a> {
    pub key: KeyPolicy,
    /// Provider-specific options: `apiVersion`, `endpoint` and `deployment`
    /// (Azure), `host` (Ollama), `name` (compatible endpoints).
    pub extra: &'a [&'a str],
}

impl Rules<'static> {
    /// A provider with a required key and no extra options.
    pub const REQUIRED: Rules<'static> = Rules {
        key: KeyPolicy::Required,
        extra: &[],
    };
}

const CONNECTION_FIELDS: &[&str] = &[
    "apiKey",
    "baseURL",
    "baseUrl",
    "headers",
    "maxRetries",
    "timeoutMs",
    "streamIdleTimeoutMs",
];
/// Fields the TypeScript layer consumes itself and never forwards; listed so
/// a payload that still carries them is not rejected as unknown.
const JS_ONLY_FIELDS: &[&str] = &["fetch", "tools", "signal"];
const AGENT_FIELDS: &[&str] = &[
    "model",
    "api",
    "preamble",
    "temperature",
    "maxTokens",
    "additionalParams",
    "maxTurns",
    "context",
    "dynamicContext",
];
const COMPLETION_FIELDS: &[&str] = &["model", "api"];
const EMBEDDING_FIELDS: &[&str] = &["modelName", "model", "dimensions"];
const CALL_FIELDS: &[&str] = &[
    "maxTurns",
    "temperature",
    "maxTokens",
    "maxRetries",
    "timeoutMs",
];
/// What a model call (completion, embeddings) takes per call.
const MODEL_CALL_FIELDS: &[&str] = &["maxRetries", "timeoutMs"];

/// Which options a call takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// An agent run: the agent's per-call options and the transport's.
    Agent,
    /// One model call: the transport's only.
    Model,
}

/// Parse JSON text from the TypeScript layer into an object.
fn object(json: &str, what: &str) -> Result<Map<String, Value>, BindError> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(other) => Err(BindError::invalid(
            what,
            format!("must be an object, got {}", type_name(&other)),
        )),
        Err(error) => Err(BindError::invalid(
            what,
            format!("could not be read: {error}"),
        )),
    }
}

/// JavaScript's name for the type of `value`, for error messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn reject_unknown(
    map: &Map<String, Value>,
    allowed: &[&[&str]],
    what: &str,
) -> Result<(), BindError> {
    for key in map.keys() {
        let known = allowed.iter().any(|group| group.contains(&key.as_str()))
            || JS_ONLY_FIELDS.contains(&key.as_str());
        if !known {
            let suggestion = allowed
                .iter()
                .flat_map(|group| group.iter())
                .filter(|candidate| edit_distance(candidate, key) <= 2)
                .min_by_key(|candidate| edit_distance(candidate, key));
            let hint = suggestion
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(BindError::invalid(
                key.clone(),
                format!("is not an option of {what}{hint}"),
            ));
        }
    }
    Ok(())
}

/// Levenshtein distance, case-insensitive, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let deletion = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insertion = current.get(j).copied().unwrap_or(0) + 1;
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

/// A present, non-null field.
fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.get(name).filter(|value| !value.is_null())
}

fn string(map: &Map<String, Value>, name: &str) -> Result<Option<String>, BindError> {
    match field(map, name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(BindError::invalid(
            name,
            format!("must be a string, got {}", type_name(other)),
        )),
    }
}

fn non_empty_string(map: &Map<String, Value>, name: &str) -> Result<Option<String>, BindError> {
    match string(map, name)? {
        Some(text) if text.trim().is_empty() => Err(BindError::invalid(name, "must not be empty")),
        other => Ok(other),
    }
}

fn number(map: &Map<String, Value>, name: &str) -> Result<Option<f64>, BindError> {
    match field(map, name) {
        None => Ok(None),
        Some(Value::Number(number)) => number
            .as_f64()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| BindError::invalid(name, "must be a finite number")),
        Some(other) => Err(BindError::invalid(
            name,
            format!("must be a number, got {}", type_name(other)),
        )),
    }
}

/// An integer in `min..=max`.
fn integer(
    map: &Map<String, Value>,
    name: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, BindError> {
    let Some(value) = number(map, name)? else {
        return Ok(None);
    };
    let in_range = value.fract() == 0.0 && value >= min as f64 && value <= max as f64;
    if !in_range {
        let rule = if min == 0 {
            format!("must be a whole number between 0 and {max}")
        } else if max == u64::from(u32::MAX) {
            format!("must be a whole number of at least {min}")
        } else {
            format!("must be a whole number between {min} and {max}")
        };
        return Err(BindError::invalid(name, format!("{rule}, got {value}")));
    }
    Ok(Some(value as u64))
}

fn temperature(map: &Map<String, Value>) -> Result<Option<f64>, BindError> {
    match number(map, "temperature")? {
        Some(t) if !(0.0..=2.0).contains(&t) => Err(BindError::invalid(
            "temperature",
            format!("must be between 0 and 2, got {t}"),
        )),
        other => Ok(other),
    }
}

fn max_tokens(map: &Map<String, Value>) -> Result<Option<u64>, BindError> {
    integer(map, "maxTokens", 1, u64::from(u32::MAX))
}

fn max_turns(map: &Map<String, Value>) -> Result<Option<usize>, BindError> {
    Ok(integer(map, "maxTurns", 1, 1000)?.map(|n| n as usize))
}

fn max_retries(map: &Map<String, Value>) -> Result<Option<u32>, BindError> {
    Ok(integer(map, "maxRetries", 0, 20)?.map(|n| n as u32))
}

fn milliseconds(map: &Map<String, Value>, name: &str) -> Result<Option<f64>, BindError> {
    match number(map, name)? {
        Some(t) if t <= 0.0 => Err(BindError::invalid(
            name,
            format!("must be a positive number of milliseconds, got {t}"),
        )),
        other => Ok(other),
    }
}

fn timeout_ms(map: &Map<String, Value>) -> Result<Option<f64>, BindError> {
    milliseconds(map, "timeoutMs")
}

fn api_route(map: &Map<String, Value>) -> Result<Option<ApiRoute>, BindError> {
    match string(map, "api")?.as_deref() {
        None => Ok(None),
        Some("responses") => Ok(Some(ApiRoute::Responses)),
        Some("chat") => Ok(Some(ApiRoute::Chat)),
        Some("messages") => Ok(Some(ApiRoute::Messages)),
        Some(other) => Err(BindError::invalid(
            "api",
            format!("must be \"responses\", \"chat\" or \"messages\", got \"{other}\""),
        )),
    }
}

fn base_url(map: &Map<String, Value>) -> Result<Option<String>, BindError> {
    let name = ["baseURL", "baseUrl", "endpoint", "host"]
        .into_iter()
        .find(|name| field(map, name).is_some())
        .unwrap_or("baseURL");
    let Some(text) = non_empty_string(map, name)? else {
        return Ok(None);
    };
    match url::Url::parse(&text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            Ok(Some(text.trim_end_matches('/').to_owned()))
        }
        Ok(url) => Err(BindError::invalid(
            name,
            format!("must be an http(s) URL, got scheme \"{}\"", url.scheme()),
        )),
        Err(error) => Err(BindError::invalid(
            name,
            format!("is not a valid URL ({error}): \"{text}\""),
        )),
    }
}

fn headers(map: &Map<String, Value>) -> Result<BTreeMap<String, String>, BindError> {
    let Some(value) = field(map, "headers") else {
        return Ok(BTreeMap::new());
    };
    let Value::Object(entries) = value else {
        return Err(BindError::invalid(
            "headers",
            format!("must be an object of strings, got {}", type_name(value)),
        ));
    };
    let mut out = BTreeMap::new();
    for (name, value) in entries {
        let Value::String(text) = value else {
            return Err(BindError::invalid(
                format!("headers.{name}"),
                format!("must be a string, got {}", type_name(value)),
            ));
        };
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(BindError::invalid(
                format!("headers.{name}"),
                "is not a valid HTTP header name",
            ));
        }
        if http::HeaderValue::from_str(text).is_err() {
            return Err(BindError::invalid(
                format!("headers.{name}"),
                "is not a valid HTTP header value",
            ));
        }
        out.insert(name.clone(), text.clone());
    }
    Ok(out)
}

fn connection(map: &Map<String, Value>, policy: KeyPolicy) -> Result<ConnectionOptions, BindError> {
    let base_url = base_url(map)?;
    let api_key = string(map, "apiKey")?;
    let key_missing = api_key.as_deref().map(str::trim).unwrap_or("").is_empty();
    // A proxy (`baseURL`) may hold the key itself; an Azure `endpoint` does not.
    let proxy = field(map, "baseURL").is_some() || field(map, "baseUrl").is_some();
    if key_missing && policy == KeyPolicy::Required && !proxy {
        let message = if api_key.is_some() {
            "must not be empty (set baseURL as well to call a proxy without a key)"
        } else {
            "is required (set baseURL as well to call a proxy without a key)"
        };
        return Err(BindError::invalid("apiKey", message));
    }
    Ok(ConnectionOptions {
        api_key: api_key.filter(|key| !key.trim().is_empty()),
        base_url,
        headers: headers(map)?,
        max_retries: max_retries(map)?,
        timeout_ms: timeout_ms(map)?,
        stream_idle_timeout_ms: milliseconds(map, "streamIdleTimeoutMs")?,
        api_version: non_empty_string(map, "apiVersion")?,
        name: non_empty_string(map, "name")?,
    })
}

fn required_model(map: &Map<String, Value>, name: &str) -> Result<String, BindError> {
    // Azure calls the model its deployment.
    if name == "model" && field(map, "model").is_none() && field(map, "deployment").is_some() {
        return non_empty_string(map, "deployment")?
            .ok_or_else(|| BindError::invalid("deployment", "is required"));
    }
    non_empty_string(map, name)?.ok_or_else(|| BindError::invalid(name, "is required"))
}

fn documents(map: &Map<String, Value>) -> Result<Vec<DocumentData>, BindError> {
    let Some(value) = field(map, "context") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = value else {
        return Err(BindError::invalid(
            "context",
            format!("must be an array of documents, got {}", type_name(value)),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| document(item, &format!("context[{index}]")))
        .collect()
}

/// A document: `{id, text, additionalProps?}` or a bare string.
pub fn document(value: &Value, path: &str) -> Result<DocumentData, BindError> {
    match value {
        Value::String(text) => Ok(DocumentData {
            id: None,
            text: text.clone(),
            additional_props: None,
        }),
        Value::Object(map) => {
            let text = match map.get("text") {
                Some(Value::String(text)) => text.clone(),
                Some(other) => {
                    return Err(BindError::invalid(
                        format!("{path}.text"),
                        format!("must be a string, got {}", type_name(other)),
                    ))
                }
                None => return Err(BindError::invalid(format!("{path}.text"), "is required")),
            };
            let id = match map.get("id") {
                None | Some(Value::Null) => None,
                Some(Value::String(id)) => Some(id.clone()).filter(|id| !id.is_empty()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(other) => {
                    return Err(BindError::invalid(
                        format!("{path}.id"),
                        format!("must be a string, got {}", type_name(other)),
                    ))
                }
            };
            let mut additional_props = BTreeMap::new();
            if let Some(props) = map.get("additionalProps").filter(|v| !v.is_null()) {
                let Value::Object(props) = props else {
                    return Err(BindError::invalid(
                        format!("{path}.additionalProps"),
                        format!("must be an object, got {}", type_name(props)),
                    ));
                };
                for (key, value) in props {
                    let text = match value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    additional_props.insert(key.clone(), text);
                }
            }
            Ok(DocumentData {
                id,
                text,
                additional_props: (!additional_props.is_empty()).then_some(additional_props),
            })
        }
        other => Err(BindError::invalid(
            path,
            format!(
                "must be a Document ({{id, text}}) or a string, got {}",
                type_name(other)
            ),
        )),
    }
}

fn additional_params(map: &Map<String, Value>) -> Result<Option<Value>, BindError> {
    match field(map, "additionalParams") {
        None => Ok(None),
        Some(Value::Object(params)) => Ok(Some(Value::Object(params.clone()))),
        Some(other) => Err(BindError::invalid(
            "additionalParams",
            format!("must be an object, got {}", type_name(other)),
        )),
    }
}

fn dynamic_context_sample(map: &Map<String, Value>) -> Result<Option<usize>, BindError> {
    let Some(value) = field(map, "dynamicContext") else {
        return Ok(None);
    };
    let Value::Object(inner) = value else {
        return Err(BindError::invalid(
            "dynamicContext",
            format!(
                "must be an object like {{ sample: 3, store }}, got {}",
                type_name(value)
            ),
        ));
    };
    for key in inner.keys() {
        if !matches!(key.as_str(), "sample" | "store" | "dynamicTools") {
            return Err(BindError::invalid(
                format!("dynamicContext.{key}"),
                "is not an option of dynamicContext (expected sample and store)",
            ));
        }
    }
    let sample = integer(inner, "sample", 1, 1000)
        .map_err(|e| BindError::invalid("dynamicContext.sample", strip_field(&e)))?
        .unwrap_or(3);
    Ok(Some(sample as usize))
}

/// The message of an error without its `field: ` prefix.
fn strip_field(error: &BindError) -> String {
    match &error.field {
        Some(field) => error
            .message
            .strip_prefix(&format!("{field}: "))
            .unwrap_or(&error.message)
            .to_owned(),
        None => error.message.clone(),
    }
}

impl AgentOptions {
    pub fn parse(json: &str, rules: Rules) -> Result<Self, BindError> {
        let map = object(json, "options")?;
        reject_unknown(
            &map,
            &[CONNECTION_FIELDS, AGENT_FIELDS, rules.extra],
            "Agent",
        )?;
        Ok(Self {
            connection: connection(&map, rules.key)?,
            model: required_model(&map, "model")?,
            api: api_route(&map)?,
            preamble: string(&map, "preamble")?,
            temperature: temperature(&map)?,
            max_tokens: max_tokens(&map)?,
            additional_params: additional_params(&map)?,
            max_turns: max_turns(&map)?,
            context: documents(&map)?,
            dynamic_context_sample: dynamic_context_sample(&map)?,
        })
    }
}

impl CompletionModelOptions {
    pub fn parse(json: &str, rules: Rules) -> Result<Self, BindError> {
        let map = object(json, "options")?;
        reject_unknown(
            &map,
            &[CONNECTION_FIELDS, COMPLETION_FIELDS, rules.extra],
            "CompletionModel",
        )?;
        Ok(Self {
            connection: connection(&map, rules.key)?,
            model: required_model(&map, "model")?,
            api: api_route(&map)?,
        })
    }
}

impl EmbeddingModelOptions {
    pub fn parse(json: &str, rules: Rules) -> Result<Self, BindError> {
        let map = object(json, "options")?;
        reject_unknown(
            &map,
            &[CONNECTION_FIELDS, EMBEDDING_FIELDS, rules.extra],
            "EmbeddingModel",
        )?;
        let model = if field(&map, "modelName").is_some()
            || (field(&map, "model").is_none() && field(&map, "deployment").is_none())
        {
            required_model(&map, "modelName")?
        } else {
            required_model(&map, "model")?
        };
        Ok(Self {
            connection: connection(&map, rules.key)?,
            model,
            dimensions: integer(&map, "dimensions", 1, 65536)?.map(|n| n as usize),
        })
    }
}

impl CallOptions {
    pub fn parse(json: &str, kind: CallKind) -> Result<Self, BindError> {
        let map = object(json, "call options")?;
        let allowed = match kind {
            CallKind::Agent => CALL_FIELDS,
            CallKind::Model => MODEL_CALL_FIELDS,
        };
        reject_unknown(&map, &[allowed], "this call")?;
        Ok(Self {
            max_turns: max_turns(&map)?,
            temperature: temperature(&map)?,
            max_tokens: max_tokens(&map)?,
            max_retries: max_retries(&map)?,
            timeout_ms: timeout_ms(&map)?,
        })
    }
}

/// Check a prompt: a non-blank string.
pub fn prompt_text(prompt: Option<String>, type_of: &str) -> Result<String, BindError> {
    match prompt {
        Some(text) if text.trim().is_empty() => {
            Err(BindError::invalid("prompt", "must not be empty"))
        }
        Some(text) => Ok(text),
        None => Err(BindError::invalid(
            "prompt",
            format!("must be a string, got {type_of}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn agent(json: &str) -> Result<AgentOptions, BindError> {
        AgentOptions::parse(json, Rules::REQUIRED)
    }

    fn field_of(result: Result<AgentOptions, BindError>) -> String {
        let error = result
            .err()
            .unwrap_or_else(|| BindError::internal("accepted"));
        assert_eq!(error.code, ErrorCode::InvalidArgument, "{error}");
        error.field.unwrap_or_default()
    }

    #[test]
    fn full_agent_options_parse() {
        let options = agent(
            r#"{"apiKey":"sk-1","model":"gpt-4o","preamble":"Be brief.","temperature":0.2,
                "maxTokens":256,"additionalParams":{"top_p":0.9},"baseURL":"http://127.0.0.1:8080/v1/",
                "headers":{"x-team":"a"},"api":"chat","maxTurns":4,"maxRetries":0,"timeoutMs":5000,
                "streamIdleTimeoutMs":60000,
                "context":[{"id":"d1","text":"Paris is in France"},"bare text"],
                "dynamicContext":{"sample":2}}"#,
        );
        let options = options.unwrap_or_default();
        assert_eq!(options.model, "gpt-4o");
        assert_eq!(options.connection.api_key.as_deref(), Some("sk-1"));
        assert_eq!(
            options.connection.base_url.as_deref(),
            Some("http://127.0.0.1:8080/v1")
        );
        assert_eq!(
            options.connection.headers.get("x-team").map(String::as_str),
            Some("a")
        );
        assert_eq!(options.api, Some(ApiRoute::Chat));
        assert_eq!(options.temperature, Some(0.2));
        assert_eq!(options.max_tokens, Some(256));
        assert_eq!(options.max_turns, Some(4));
        assert_eq!(options.connection.max_retries, Some(0));
        assert_eq!(options.connection.stream_idle_timeout_ms, Some(60000.0));
        assert_eq!(
            field_of(agent(
                r#"{"apiKey":"k","model":"m","streamIdleTimeoutMs":0}"#
            )),
            "streamIdleTimeoutMs"
        );
        assert_eq!(options.context.len(), 2);
        assert_eq!(options.context[1].text, "bare text");
        assert_eq!(options.dynamic_context_sample, Some(2));
    }

    #[test]
    fn api_key_rules() {
        assert_eq!(field_of(agent(r#"{"model":"m"}"#)), "apiKey");
        assert_eq!(field_of(agent(r#"{"apiKey":"","model":"m"}"#)), "apiKey");
        assert_eq!(field_of(agent(r#"{"apiKey":"   ","model":"m"}"#)), "apiKey");
        assert_eq!(field_of(agent(r#"{"apiKey":42,"model":"m"}"#)), "apiKey");
        // A proxy needs no key.
        assert!(agent(r#"{"model":"m","baseURL":"http://localhost:1/v1"}"#).is_ok());
        assert!(agent(r#"{"apiKey":"","model":"m","baseURL":"http://localhost:1"}"#).is_ok());
        // A local provider needs none either.
        let optional = Rules {
            key: KeyPolicy::Optional,
            extra: &[],
        };
        assert!(AgentOptions::parse(r#"{"model":"m"}"#, optional).is_ok());
    }

    #[test]
    fn model_rules() {
        assert_eq!(field_of(agent(r#"{"apiKey":"k"}"#)), "model");
        assert_eq!(field_of(agent(r#"{"apiKey":"k","model":""}"#)), "model");
        assert_eq!(
            field_of(agent(r#"{"apiKey":"k","model":["gpt"]}"#)),
            "model"
        );
    }

    #[test]
    fn temperature_range() {
        for bad in ["-0.1", "2.01", "\"hot\"", "\"NaN\""] {
            let json = format!(r#"{{"apiKey":"k","model":"m","temperature":{bad}}}"#);
            assert_eq!(field_of(agent(&json)), "temperature", "{bad}");
        }
        for good in ["0", "2", "1.3"] {
            let json = format!(r#"{{"apiKey":"k","model":"m","temperature":{good}}}"#);
            assert!(agent(&json).is_ok(), "{good}");
        }
        let error = agent(r#"{"apiKey":"k","model":"m","temperature":3}"#).err();
        assert_eq!(
            error.map(|e| e.message),
            Some("temperature: must be between 0 and 2, got 3".to_owned())
        );
    }

    #[test]
    fn max_tokens_must_be_a_positive_integer() {
        for bad in ["0", "-5", "1.5", "\"10\""] {
            let json = format!(r#"{{"apiKey":"k","model":"m","maxTokens":{bad}}}"#);
            assert_eq!(field_of(agent(&json)), "maxTokens", "{bad}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected_with_a_suggestion() {
        let error = agent(r#"{"apiKey":"k","model":"m","temprature":1}"#).err();
        let message = error.map(|e| e.message).unwrap_or_default();
        assert!(message.contains("did you mean `temperature`"), "{message}");
    }

    #[test]
    fn js_only_fields_are_tolerated() {
        assert!(agent(r#"{"apiKey":"k","model":"m","tools":[]}"#).is_ok());
    }

    #[test]
    fn base_url_and_headers_are_checked() {
        assert_eq!(
            field_of(agent(r#"{"model":"m","baseURL":"not a url"}"#)),
            "baseURL"
        );
        assert_eq!(
            field_of(agent(r#"{"model":"m","baseURL":"ftp://x"}"#)),
            "baseURL"
        );
        assert_eq!(
            field_of(agent(r#"{"apiKey":"k","model":"m","headers":{"x":1}}"#)),
            "headers.x"
        );
        assert_eq!(
            field_of(agent(
                r#"{"apiKey":"k","model":"m","headers":{"bad header":"v"}}"#
            )),
            "headers.bad header"
        );
        assert_eq!(
            field_of(agent(r#"{"apiKey":"k","model":"m","headers":"x"}"#)),
            "headers"
        );
    }

    #[test]
    fn options_must_be_an_object() {
        assert_eq!(field_of(agent("[1,2]")), "options");
        assert_eq!(field_of(agent("42")), "options");
    }

    #[test]
    fn context_documents_are_checked() {
        assert_eq!(
            field_of(agent(
                r#"{"apiKey":"k","model":"m","context":[{"id":"a"}]}"#
            )),
            "context[0].text"
        );
        assert_eq!(
            field_of(agent(r#"{"apiKey":"k","model":"m","context":[5]}"#)),
            "context[0]"
        );
        assert_eq!(
            field_of(agent(
                r#"{"apiKey":"k","model":"m","dynamicContext":{"sample":0}}"#
            )),
            "dynamicContext.sample"
        );
    }

    #[test]
    fn call_options() {
        let call = CallOptions::parse(
            r#"{"maxTurns":3,"timeoutMs":100,"maxRetries":0}"#,
            CallKind::Agent,
        );
        assert_eq!(call.map(|c| c.max_turns), Ok(Some(3)));
        let bad = CallOptions::parse(r#"{"maxTurns":0}"#, CallKind::Agent).err();
        assert_eq!(bad.and_then(|e| e.field), Some("maxTurns".to_owned()));
        let bad = CallOptions::parse(r#"{"timeoutMs":-1}"#, CallKind::Agent).err();
        assert_eq!(bad.and_then(|e| e.field), Some("timeoutMs".to_owned()));
        // A model call takes no agent options.
        let bad = CallOptions::parse(r#"{"maxTurns":2}"#, CallKind::Model).err();
        assert_eq!(bad.and_then(|e| e.field), Some("maxTurns".to_owned()));
        assert!(CallOptions::parse(r#"{"timeoutMs":5,"signal":{}}"#, CallKind::Model).is_ok());
    }

    #[test]
    fn embedding_options() {
        let options = EmbeddingModelOptions::parse(
            r#"{"apiKey":"k","modelName":"text-embedding-3-small","dimensions":256}"#,
            Rules::REQUIRED,
        );
        assert_eq!(options.as_ref().map(|o| o.dimensions), Ok(Some(256)));
        let missing = EmbeddingModelOptions::parse(r#"{"apiKey":"k"}"#, Rules::REQUIRED).err();
        assert_eq!(missing.and_then(|e| e.field), Some("modelName".to_owned()));
    }

    #[test]
    fn provider_specific_options_and_aliases() {
        let azure = Rules {
            key: KeyPolicy::Required,
            extra: &["apiVersion", "endpoint", "deployment"],
        };
        let options = AgentOptions::parse(
            r#"{"apiKey":"k","endpoint":"https://res.openai.azure.com","deployment":"gpt-4o-prod","apiVersion":"2024-10-21"}"#,
            azure,
        )
        .unwrap();
        assert_eq!(options.model, "gpt-4o-prod");
        assert_eq!(
            options.connection.base_url.as_deref(),
            Some("https://res.openai.azure.com")
        );
        assert_eq!(
            options.connection.api_version.as_deref(),
            Some("2024-10-21")
        );
        // Elsewhere those are unknown options.
        assert_eq!(
            field_of(agent(r#"{"apiKey":"k","model":"m","apiVersion":"x"}"#)),
            "apiVersion"
        );
        let ollama = Rules {
            key: KeyPolicy::Optional,
            extra: &["host"],
        };
        let local = AgentOptions::parse(
            r#"{"model":"llama3","host":"http://127.0.0.1:11434"}"#,
            ollama,
        )
        .unwrap();
        assert_eq!(
            local.connection.base_url.as_deref(),
            Some("http://127.0.0.1:11434")
        );
        assert_eq!(local.connection.api_key, None);
        let route = AgentOptions::parse(
            r#"{"apiKey":"k","model":"m","api":"messages"}"#,
            Rules::REQUIRED,
        )
        .unwrap();
        assert_eq!(route.api, Some(ApiRoute::Messages));
    }

    /// The keys of a contract value with every optional field set.
    fn keys<T: serde::Serialize>(value: &T) -> Vec<String> {
        let mut keys: Vec<String> = match serde_json::to_value(value) {
            Ok(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        };
        keys.sort();
        keys
    }

    fn sorted(groups: &[&[&str]]) -> Vec<String> {
        let mut out: Vec<String> = groups
            .iter()
            .flat_map(|g| g.iter())
            .filter(|name| **name != "baseUrl") // an alias of baseURL
            .map(|s| (*s).to_owned())
            .collect();
        out.sort();
        out
    }

    fn full_connection() -> crate::contract::ConnectionInput {
        crate::contract::ConnectionInput {
            api_key: Some("sk-1".into()),
            base_url: Some("http://127.0.0.1:1/v1".into()),
            headers: Some([("x-a".to_owned(), "b".to_owned())].into()),
            max_retries: Some(1),
            timeout_ms: Some(1000.0),
            stream_idle_timeout_ms: Some(2000.0),
        }
    }

    #[test]
    fn the_readers_take_exactly_the_declared_options() {
        use crate::contract::*;
        let agent = AgentInput {
            connection: full_connection(),
            model: "m".into(),
            api: Some(ApiName::Chat),
            preamble: Some("p".into()),
            temperature: Some(0.5),
            max_tokens: Some(10),
            additional_params: Some(Map::new()),
            max_turns: Some(2),
            context: Some(vec![
                DocumentInput::Text("t".into()),
                DocumentInput::Document(DocumentData {
                    id: Some("d".into()),
                    text: "x".into(),
                    additional_props: Some([("k".to_owned(), "v".to_owned())].into()),
                }),
            ]),
            dynamic_context: Some(DynamicContextInput { sample: Some(2) }),
        };
        assert_eq!(keys(&agent), sorted(&[CONNECTION_FIELDS, AGENT_FIELDS]));
        let parsed =
            AgentOptions::parse(&serde_json::to_string(&agent).unwrap(), Rules::REQUIRED).unwrap();
        assert_eq!(parsed.connection.stream_idle_timeout_ms, Some(2000.0));
        assert_eq!(parsed.context.len(), 2);
        assert_eq!(parsed.dynamic_context_sample, Some(2));

        let completion = CompletionModelInput {
            connection: full_connection(),
            model: "m".into(),
            api: Some(ApiName::Responses),
        };
        assert_eq!(
            keys(&completion),
            sorted(&[CONNECTION_FIELDS, COMPLETION_FIELDS])
        );
        assert!(CompletionModelOptions::parse(
            &serde_json::to_string(&completion).unwrap(),
            Rules::REQUIRED
        )
        .is_ok());

        let embedding = EmbeddingModelInput {
            connection: full_connection(),
            model_name: "e".into(),
            dimensions: Some(8),
        };
        // `model` is accepted too, as Azure's and Rig's name for it.
        let declared: Vec<&str> = EMBEDDING_FIELDS
            .iter()
            .copied()
            .filter(|f| *f != "model")
            .collect();
        assert_eq!(keys(&embedding), sorted(&[CONNECTION_FIELDS, &declared]));
        assert!(EmbeddingModelOptions::parse(
            &serde_json::to_string(&embedding).unwrap(),
            Rules::REQUIRED
        )
        .is_ok());

        let call = AgentCallInput {
            call: ModelCallInput {
                max_retries: Some(0),
                timeout_ms: Some(1.0),
            },
            max_turns: Some(1),
            temperature: Some(1.0),
            max_tokens: Some(1),
        };
        assert_eq!(keys(&call), sorted(&[CALL_FIELDS]));
        let model_call = ModelCallInput {
            max_retries: Some(0),
            timeout_ms: Some(1.0),
        };
        assert_eq!(keys(&model_call), sorted(&[MODEL_CALL_FIELDS]));
        assert!(CallOptions::parse(
            &serde_json::to_string(&model_call).unwrap(),
            CallKind::Model
        )
        .is_ok());
    }

    #[test]
    fn provider_options_are_the_declared_ones() {
        use crate::contract::*;
        let extras = |id: &str| {
            let mut extra: Vec<String> = crate::providers::find(id)
                .map(|spec| spec.extra_options.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default();
            extra.sort();
            extra
        };
        #[cfg(feature = "openai-vendors")]
        assert_eq!(
            keys(&AzureInput {
                endpoint: Some("e".into()),
                deployment: Some("d".into()),
                api_version: Some("v".into()),
            }),
            extras("azure")
        );
        #[cfg(feature = "ollama")]
        assert_eq!(
            keys(&OllamaInput {
                host: Some("h".into())
            }),
            extras("ollama")
        );
        assert_eq!(
            keys(&CompatibleInput {
                name: Some("n".into())
            }),
            extras("compatible")
        );
    }

    #[test]
    fn prompts_must_be_non_blank_strings() {
        assert!(prompt_text(Some("hi".into()), "string").is_ok());
        assert_eq!(
            prompt_text(Some("  ".into()), "string")
                .err()
                .map(|e| e.message),
            Some("prompt: must not be empty".into())
        );
        assert_eq!(
            prompt_text(None, "number").err().map(|e| e.message),
            Some("prompt: must be a string, got number".into())
        );
    }
}
