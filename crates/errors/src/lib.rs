//! The one error shape that crosses into JavaScript, for both of rig-wasm's
//! modules (`rig_wasm.wasm` and `rig_wasm_local.wasm`).
//!
//! Every failure either reports is a [`BindError`]: a stable machine `code`,
//! a human message, and where known the option `field`, the HTTP `status`,
//! the `provider`, whether a retry could help and a truncated response body.
//! The TypeScript layer turns it into the matching `RigError` subclass. The
//! HTTP rules that decide a code (status → code, which statuses may be
//! retried) live here too. With the `ts` feature the types derive ts-rs
//! declarations (rig-wasm's contract test generates them).

#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

use serde::{Deserialize, Serialize};

/// Longest response body kept on an error, in bytes.
pub const MAX_BODY_BYTES: usize = 2048;

/// Stable error codes. The strings are part of the public API: never rename.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

/// What answered an HTTP call: a model provider, or a vector database the
/// TypeScript layer calls itself. Only the hints in messages differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Model,
    Database,
}

/// A failure on its way to JavaScript (the data of every `RigError`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
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

    /// A non-success HTTP reply from a model `provider`.
    pub fn http(provider: &str, status: u16, body: Option<&str>, detail: &str) -> Self {
        Self::http_from(Service::Model, provider, status, body, detail)
    }

    /// A non-success HTTP reply from `service`, of the given kind.
    pub fn http_from(
        kind: Service,
        provider: &str,
        status: u16,
        body: Option<&str>,
        detail: &str,
    ) -> Self {
        let code = ErrorCode::from_status(status);
        let hint = match (code, kind) {
            (ErrorCode::Authentication, _) => " (check the apiKey)",
            (ErrorCode::NotFound, Service::Model) => " (check the model name and baseURL)",
            (ErrorCode::NotFound, Service::Database) => " (check the collection and url)",
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
/// `{error: {message}}`, Cohere/Mistral `{message}`, Ollama `{error: "…"}`,
/// Chroma `{error: kind, message}`, Qdrant `{status: {error}}`.
pub fn provider_error_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let candidate = value
        .get("error")
        .and_then(|error| match error {
            // Chroma: `{"error": "<kind>", "message": "…"}`; Ollama: `{"error": "…"}`.
            serde_json::Value::String(text) => Some(
                value
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or(text)
                    .to_owned(),
            ),
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
        })
        .or_else(|| {
            // Qdrant: `{"status": {"error": "…"}}`.
            value
                .get("status")
                .and_then(|status| status.get("error"))
                .and_then(|m| m.as_str())
                .map(str::to_owned)
        })?;
    let trimmed = candidate.trim();
    (!trimmed.is_empty()).then(|| truncate_body(trimmed))
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
    fn database_errors_read_qdrant_and_chroma_envelopes() {
        let qdrant =
            r#"{"status":{"error":"Not found: Collection `docs` doesn't exist!"},"time":0.0}"#;
        let error = BindError::http_from(Service::Database, "qdrant", 404, Some(qdrant), "raw");
        assert_eq!(error.code, ErrorCode::NotFound);
        assert_eq!(
            error.message,
            "qdrant returned HTTP 404 (check the collection and url): Not found: Collection `docs` doesn't exist!"
        );
        let chroma = r#"{"error":"InvalidArgumentError","message":"Collection expecting embedding with dimension of 3, got 4"}"#;
        let error = BindError::http_from(Service::Database, "chroma", 400, Some(chroma), "raw");
        assert_eq!(error.code, ErrorCode::BadRequest);
        assert_eq!(
            error.message,
            "chroma returned HTTP 400: Collection expecting embedding with dimension of 3, got 4"
        );
        assert_eq!(
            provider_error_message(r#"{"error":"model 'x' not found"}"#).as_deref(),
            Some("model 'x' not found")
        );
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
    fn serialises_camel_case_for_typescript() {
        let json = BindError::invalid("temperature", "must be between 0 and 2").to_json();
        assert_eq!(
            json,
            r#"{"code":"invalid_argument","message":"temperature: must be between 0 and 2","field":"temperature","isRetryable":false}"#
        );
    }
}
