//! The one error shape that crosses into JavaScript.
//!
//! Every failure the binding reports is a [`BindError`]: a stable machine
//! `code`, a human message, and where known the option `field`, the HTTP
//! `status`, the `provider`, whether a retry could help and a truncated
//! response body. The TypeScript layer turns it into the matching `RigError`
//! subclass. Platform independent, so native tests cover the mapping.

use serde::{Deserialize, Serialize};

/// Longest response body kept on an error, in bytes.
pub const MAX_BODY_BYTES: usize = 2048;

/// Stable error codes. The strings are part of the public API: never rename.
#[cfg_attr(test, derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// An option or argument from JavaScript is missing, mistyped or out of range.
    InvalidArgument,
    /// The module was used before `init()` in a runtime that needs it.
    NotInitialized,
    /// The provider rejected the credentials (401/403).
    Authentication,
    /// The model or endpoint does not exist (404).
    NotFound,
    /// The request was rejected as malformed (400/422).
    BadRequest,
    /// Too many requests (429).
    RateLimited,
    /// The provider failed (5xx).
    ServerError,
    /// Any other non-success HTTP status.
    HttpError,
    /// The request never got an HTTP response (DNS, refused, reset, CORS).
    ConnectionError,
    /// The call ran past its `timeoutMs`.
    Timeout,
    /// The call was aborted through its `AbortSignal`.
    Aborted,
    /// The provider answered with something that is not what its API promises.
    InvalidResponse,
    /// A tool was defined wrongly.
    ToolError,
    /// The agent ran out of turns before the model answered.
    MaxTurns,
    /// A vector store failed or returned malformed results.
    VectorStore,
    /// The provider or model does not support what was asked.
    Unsupported,
    /// A bug in rig-wasm (a caught panic, an impossible state).
    Internal,
}

impl ErrorCode {
    /// The code's stable string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidArgument => "invalid_argument",
            Self::NotInitialized => "not_initialized",
            Self::Authentication => "authentication",
            Self::NotFound => "not_found",
            Self::BadRequest => "bad_request",
            Self::RateLimited => "rate_limited",
            Self::ServerError => "server_error",
            Self::HttpError => "http_error",
            Self::ConnectionError => "connection_error",
            Self::Timeout => "timeout",
            Self::Aborted => "aborted",
            Self::InvalidResponse => "invalid_response",
            Self::ToolError => "tool_error",
            Self::MaxTurns => "max_turns",
            Self::VectorStore => "vector_store",
            Self::Unsupported => "unsupported",
            Self::Internal => "internal",
        }
    }

    /// The code an HTTP status maps to.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 | 403 => Self::Authentication,
            404 => Self::NotFound,
            400 | 422 => Self::BadRequest,
            408 => Self::Timeout,
            429 => Self::RateLimited,
            500..=599 => Self::ServerError,
            _ => Self::HttpError,
        }
    }
}

/// Whether a request that failed with `status` may succeed when retried.
pub fn status_is_retryable(status: u16) -> bool {
    matches!(status, 408 | 409 | 429 | 500..=599)
}

/// A failure on its way to JavaScript (the data of every `RigError`).
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(optional_fields))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BindError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub is_retryable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// How long a 429 asked the caller to wait, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl BindError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            status_code: None,
            provider: None,
            is_retryable: false,
            response_body: None,
            request_id: None,
            retry_after_ms: None,
        }
    }

    /// An invalid option or argument, naming the field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        let mut error = Self::new(ErrorCode::InvalidArgument, format!("{field}: {message}"));
        error.field = Some(field);
        error
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    pub fn with_provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// A non-success HTTP reply from `provider`.
    pub fn http(provider: &str, status: u16, body: Option<&str>, detail: &str) -> Self {
        let code = ErrorCode::from_status(status);
        let hint = match code {
            ErrorCode::Authentication => " (check the apiKey)",
            ErrorCode::NotFound => " (check the model name and baseURL)",
            _ => "",
        };
        let summary = body
            .and_then(provider_error_message)
            .unwrap_or_else(|| detail.to_owned());
        let mut error = Self::new(
            code,
            format!("{provider} returned HTTP {status}{hint}: {summary}"),
        );
        error.status_code = Some(status);
        error.provider = Some(provider.to_owned());
        error.is_retryable = status_is_retryable(status);
        error.response_body = body.map(truncate_body);
        error
    }

    /// Replace every occurrence of `secret` in the text this error carries.
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.len() >= 4 {
            self.message = self.message.replace(secret, "[redacted]");
            if let Some(body) = self.response_body.as_mut() {
                *body = body.replace(secret, "[redacted]");
            }
        }
        self
    }

    /// The JSON the TypeScript layer parses.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            format!(
                "{{\"code\":\"internal\",\"message\":{:?},\"isRetryable\":false}}",
                self.message
            )
        })
    }
}

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_str())
    }
}

/// Cut a response body to [`MAX_BODY_BYTES`] on a character boundary.
pub fn truncate_body(body: &str) -> String {
    if body.len() <= MAX_BODY_BYTES {
        return body.to_owned();
    }
    let mut end = MAX_BODY_BYTES;
    while end > 0 && !body.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = body.get(..end).unwrap_or_default().to_owned();
    out.push_str("…[truncated]");
    out
}

/// The human message inside a provider's JSON error envelope, when there is
/// one: OpenAI `{error: {message}}`, Anthropic `{error: {message}}`, Gemini
/// `{error: {message}}`, Cohere/Mistral `{message}`, Ollama `{error: "…"}`.
pub fn provider_error_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let candidate = value
        .get("error")
        .and_then(|error| match error {
            serde_json::Value::String(text) => Some(text.clone()),
            serde_json::Value::Object(map) => map
                .get("message")
                .and_then(|m| m.as_str())
                .map(str::to_owned),
            _ => None,
        })
        .or_else(|| {
            value
                .get("message")
                .and_then(|m| m.as_str())
                .map(str::to_owned)
        })
        .or_else(|| {
            value
                .get("detail")
                .and_then(|m| m.as_str())
                .map(str::to_owned)
        })?;
    let trimmed = candidate.trim();
    (!trimmed.is_empty()).then(|| truncate_body(trimmed))
}

/// The wait a failed reply's `retry-after-ms` or `retry-after` header asks
/// for, in milliseconds: `retry-after` holds seconds or an HTTP date (RFC
/// 9110), measured from `now_ms` (milliseconds since the Unix epoch). The
/// one reading of these headers: the transport waits what this says, and
/// `RateLimitError.retryAfterMs` reports the same.
pub fn retry_after_ms(headers: &http::HeaderMap, now_ms: f64) -> Option<u64> {
    let read = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if let Some(ms) = read("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return (ms.is_finite() && ms >= 0.0).then_some(ms as u64);
    }
    let value = read("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then_some((seconds * 1000.0) as u64);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    let at_ms = date.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as f64;
    Some((at_ms - now_ms).max(0.0) as u64)
}

/// Headers in the transport's text form: `name\nvalue\n` per header.
pub fn header_map(text: &str) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    let mut lines = text.split('\n');
    while let (Some(name), Some(value)) = (lines.next(), lines.next()) {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    map
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        js_sys::Date::now()
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as f64)
            .unwrap_or(0.0)
    }
}

/// How Rig's dynamic-context hook words a retrieval failure.
const DYNAMIC_CONTEXT_FAILED: &str = "failed to retrieve dynamic context";

/// The error a failed agent run reports, for `provider`.
pub fn from_prompt_error(error: &rig_agent::completion::PromptError, provider: &str) -> BindError {
    use rig_agent::completion::PromptError;
    if let Some(status) = error.provider_response_status() {
        let mut out = BindError::http(
            provider,
            status.as_u16(),
            error.provider_response_body(),
            &error.to_string(),
        );
        out.request_id = error.provider_request_id().map(str::to_owned);
        out.retry_after_ms = error
            .provider_response_headers()
            .and_then(|headers| retry_after_ms(headers, now_ms()));
        return out;
    }
    match error {
        PromptError::Provider(inner) => from_provider_error(inner, provider),
        PromptError::Report(report) => from_report(report, provider),
        PromptError::MaxTurns { max_turns, .. } => BindError::new(
            ErrorCode::MaxTurns,
            format!(
                "the agent used all {max_turns} turns (maxTurns) without a final answer from the model"
            ),
        )
        .with_provider(provider),
        PromptError::Cancelled { reason, .. } => match reason.strip_prefix(DYNAMIC_CONTEXT_FAILED) {
            // Rig's dynamic-context hook stops the run when retrieval fails.
            Some(rest) => BindError::new(
                ErrorCode::VectorStore,
                format!(
                    "dynamic context: retrieving documents failed: {}",
                    rest.trim_start_matches(": ")
                        .trim_start_matches("Datastore error: ")
                ),
            ),
            None => BindError::new(ErrorCode::Aborted, format!("the run was cancelled: {reason}")),
        },
        PromptError::UnknownToolCall {
            tool_name,
            available_tools,
            ..
        } => BindError::new(
            ErrorCode::ToolError,
            format!(
                "the model called the unknown tool \"{tool_name}\" (tools: {})",
                available_tools.join(", ")
            ),
        )
        .with_provider(provider),
        other => BindError::internal(other.to_string()).with_provider(provider),
    }
}

/// The error a failed provider call reports, for `provider`.
pub fn from_provider_error(error: &rig_core::ProviderError, provider: &str) -> BindError {
    use rig_core::ProviderError as P;
    if let Some(status) = error.provider_response_status() {
        let mut out = BindError::http(
            provider,
            status.as_u16(),
            error.provider_response_body(),
            &error.to_string(),
        );
        out.request_id = error.provider_request_id().map(str::to_owned);
        out.retry_after_ms = error
            .provider_response_headers()
            .and_then(|headers| retry_after_ms(headers, now_ms()));
        return out;
    }
    let (code, retryable, message) = match error {
        P::Http(inner) => (
            ErrorCode::ConnectionError,
            true,
            format!("could not reach {provider}: {inner}"),
        ),
        P::Json(inner) => (
            ErrorCode::InvalidResponse,
            false,
            format!("{provider} sent a reply that is not the JSON its API promises: {inner}"),
        ),
        P::Response(message) => (
            ErrorCode::InvalidResponse,
            false,
            format!("{provider} sent an unexpected reply: {message}"),
        ),
        P::Truncated => (
            ErrorCode::InvalidResponse,
            true,
            format!("{provider} ended the reply before it was complete"),
        ),
        P::Url(inner) => (
            ErrorCode::InvalidArgument,
            false,
            format!("the request URL is invalid (check baseURL): {inner}"),
        ),
        P::Relayed(report) => return from_report(report, provider),
        other => (ErrorCode::HttpError, false, other.to_string()),
    };
    let mut out = BindError::new(code, message).with_provider(provider);
    out.is_retryable = retryable;
    out
}

/// The error a failure relayed over Rig's effect bus reports.
pub fn from_report(report: &rig_core::ErrorReport, provider: &str) -> BindError {
    use rig_core::ErrorKind as K;
    if let Some(status) = report.http_status {
        let mut out = BindError::http(
            provider,
            status,
            report.provider_response_body(),
            &report.message,
        );
        out.request_id = report.request_id.clone();
        out.retry_after_ms = report
            .provider_response_headers()
            .and_then(|headers| retry_after_ms(headers, now_ms()));
        return out;
    }
    let code = match report.kind {
        K::Http => ErrorCode::ConnectionError,
        K::Json | K::Response | K::ProviderResponse => ErrorCode::InvalidResponse,
        K::Url | K::Request => ErrorCode::InvalidArgument,
        K::Provider => ErrorCode::HttpError,
        K::Tool(_) => ErrorCode::ToolError,
        K::Cancelled => ErrorCode::Aborted,
        K::Timeout => ErrorCode::Timeout,
        _ => ErrorCode::Internal,
    };
    let mut out = BindError::new(code, report.message.clone()).with_provider(provider);
    out.is_retryable = report.retryable;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_map_to_stable_codes() {
        assert_eq!(ErrorCode::from_status(401), ErrorCode::Authentication);
        assert_eq!(ErrorCode::from_status(403), ErrorCode::Authentication);
        assert_eq!(ErrorCode::from_status(404), ErrorCode::NotFound);
        assert_eq!(ErrorCode::from_status(429), ErrorCode::RateLimited);
        assert_eq!(ErrorCode::from_status(503), ErrorCode::ServerError);
        assert_eq!(ErrorCode::from_status(418), ErrorCode::HttpError);
        assert_eq!(ErrorCode::RateLimited.as_str(), "rate_limited");
    }

    #[test]
    fn retryable_statuses() {
        for status in [408, 409, 429, 500, 502, 503, 504] {
            assert!(status_is_retryable(status), "{status}");
        }
        for status in [400, 401, 403, 404, 422] {
            assert!(!status_is_retryable(status), "{status}");
        }
    }

    #[test]
    fn http_error_reads_the_provider_message_and_keeps_the_body() {
        let body =
            r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#;
        let error = BindError::http("openai", 401, Some(body), "raw");
        assert_eq!(error.code, ErrorCode::Authentication);
        assert_eq!(error.status_code, Some(401));
        assert_eq!(error.provider.as_deref(), Some("openai"));
        assert!(!error.is_retryable);
        assert_eq!(
            error.message,
            "openai returned HTTP 401 (check the apiKey): Incorrect API key provided"
        );
        assert_eq!(error.response_body.as_deref(), Some(body));
    }

    #[test]
    fn bodies_are_truncated_on_char_boundaries() {
        let body = "é".repeat(MAX_BODY_BYTES);
        let cut = truncate_body(&body);
        assert!(cut.len() < body.len());
        assert!(cut.ends_with("[truncated]"));
    }

    #[test]
    fn redaction_removes_the_secret_everywhere() {
        let mut error = BindError::http("openai", 401, Some("bad key sk-secret-123"), "x");
        error.message.push_str(" sk-secret-123");
        let error = error.redact("sk-secret-123");
        assert!(!error.message.contains("sk-secret-123"));
        assert!(!error
            .response_body
            .unwrap_or_default()
            .contains("sk-secret-123"));
    }

    #[test]
    fn failed_retrieval_is_a_vector_store_error() {
        let error = rig_agent::completion::PromptError::cancelled(
            Vec::new(),
            "failed to retrieve dynamic context: Datastore error: database down",
        );
        let bind = from_prompt_error(&error, "openai");
        assert_eq!(bind.code, ErrorCode::VectorStore);
        assert_eq!(
            bind.message,
            "dynamic context: retrieving documents failed: database down"
        );
        let cancelled = rig_agent::completion::PromptError::cancelled(Vec::new(), "user stop");
        assert_eq!(
            from_prompt_error(&cancelled, "openai").code,
            ErrorCode::Aborted
        );
    }

    #[test]
    fn max_turns_and_provider_errors_map_to_codes() {
        let error = rig_agent::completion::PromptError::MaxTurns {
            max_turns: 3,
            chat_history: Vec::new(),
            prompt: rig_core::completion::Message::user("hi"),
        };
        let bind = from_prompt_error(&error, "openai");
        assert_eq!(bind.code, ErrorCode::MaxTurns);
        assert!(bind.message.contains("all 3 turns"));
        let truncated = from_provider_error(&rig_core::ProviderError::Truncated, "anthropic");
        assert_eq!(truncated.code, ErrorCode::InvalidResponse);
        assert_eq!(truncated.provider.as_deref(), Some("anthropic"));
    }

    #[test]
    fn retry_after_headers_are_read() {
        let now = 1_700_000_000_000.0;
        let mut headers = http::HeaderMap::new();
        headers.insert("retry-after", http::HeaderValue::from_static("120"));
        assert_eq!(retry_after_ms(&headers, now), Some(120_000));
        headers.insert("retry-after-ms", http::HeaderValue::from_static("250"));
        assert_eq!(retry_after_ms(&headers, now), Some(250));
        assert_eq!(retry_after_ms(&http::HeaderMap::new(), now), None);
        // An HTTP date: the wait from now (2023-11-14T22:13:20Z + 90 s).
        let dated = header_map("retry-after\nTue, 14 Nov 2023 22:14:50 GMT\n");
        assert_eq!(retry_after_ms(&dated, now), Some(90_000));
        // A date in the past asks for no wait; garbage for none at all.
        assert_eq!(retry_after_ms(&dated, now + 200_000.0), Some(0));
        assert_eq!(
            retry_after_ms(&header_map("retry-after\nsoon\n"), now),
            None
        );
        assert_eq!(retry_after_ms(&header_map("retry-after\n-5\n"), now), None);
    }

    #[test]
    fn serialises_camel_case_for_typescript() {
        let json = BindError::invalid("temperature", "must be between 0 and 2").to_json();
        assert_eq!(
            json,
            r#"{"code":"invalid_argument","message":"temperature: must be between 0 and 2","field":"temperature","isRetryable":false}"#
        );
    }
}
