//! Rig's failures as the [`BindError`]s JavaScript sees, and the reading of
//! `Retry-After`. The error shape and the HTTP rules are in `rig-wasm-errors`
//! (shared with the local model's module). Platform independent.

pub use rig_wasm_errors::*;

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
}
