//! Rig's HTTP seam, served by the TypeScript transport.
//!
//! Every provider request goes through [`JsHttp`], which hands method, URL,
//! headers and body to the `Transport` object the TypeScript layer made for
//! the model. That side owns `fetch` (injectable), user headers, retries with
//! backoff, timeouts and the `AbortSignal`; this side only moves bytes. The
//! per-call context (`ctx`) travels with the client so concurrent calls on
//! one agent keep their own signals.

use bytes::Bytes;
use futures::Stream;
use js_sys::{Promise, Uint8Array};
use rig_core::http_client::{
    Error, HeaderMap, HttpClientExt, LazyBody, MultipartForm, Request, Response, Result,
    StreamingResponse,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The transport the TypeScript layer gives each model.
    #[derive(Clone)]
    pub type Transport;

    /// Send one request: `headers` is `name\nvalue\n` per header, `body`
    /// a string when it is UTF-8, else a `Uint8Array`. Resolves to a [`TransportResponse`] (also for
    /// non-success statuses, whose body is then read in full); rejects only
    /// when no response could be had (network, abort, timeout).
    #[wasm_bindgen(method, catch)]
    fn send(
        this: &Transport,
        ctx: &JsValue,
        method: &str,
        url: &str,
        headers: &str,
        body: JsValue,
        streaming: bool,
    ) -> std::result::Result<Promise, JsValue>;

    /// The reply, as the transport hands it over.
    pub type TransportResponse;

    #[wasm_bindgen(method, getter)]
    fn status(this: &TransportResponse) -> u16;

    /// `name\nvalue\n` per header.
    #[wasm_bindgen(method, getter)]
    fn headers(this: &TransportResponse) -> String;

    /// The whole body of a unary or non-success reply.
    #[wasm_bindgen(method, getter)]
    fn body(this: &TransportResponse) -> Option<Uint8Array>;

    /// The next chunk of a streaming body: a `Uint8Array`, or `null` at the end.
    #[wasm_bindgen(method, catch)]
    fn read(this: &TransportResponse) -> std::result::Result<Promise, JsValue>;

    /// Stop reading a streaming body (cancels the underlying request).
    #[wasm_bindgen(method)]
    fn cancel(this: &TransportResponse);
}

/// A transport failure, carrying the JavaScript error's message.
#[derive(Debug)]
pub struct TransportError(pub String);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TransportError {}

/// The message of a JavaScript exception value.
pub fn js_message(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text;
    }
    js_sys::Reflect::get(value, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "the transport failed".to_owned())
}

fn transport_error(value: &JsValue) -> Error {
    Error::instance(TransportError(js_message(value)))
}

/// Rig's HTTP client for one model (and, per call, one call context).
#[derive(Clone)]
pub struct JsHttp {
    transport: Transport,
    ctx: JsValue,
}

impl JsHttp {
    pub fn new(transport: Transport, ctx: JsValue) -> Self {
        Self { transport, ctx }
    }

    async fn exchange(
        &self,
        parts: http::request::Parts,
        body: Bytes,
        streaming: bool,
    ) -> Result<TransportResponse> {
        // One string for every header: one crossing instead of two per header.
        let mut headers = String::new();
        for (name, value) in parts.headers.iter() {
            headers.push_str(name.as_str());
            headers.push('\n');
            headers.push_str(&String::from_utf8_lossy(value.as_bytes()));
            headers.push('\n');
        }
        // JSON bodies (nearly all) go as a string, which fetch takes most cheaply.
        let body: JsValue = match std::str::from_utf8(body.as_ref()) {
            Ok(text) => JsValue::from_str(text),
            Err(_) => Uint8Array::from(body.as_ref()).into(),
        };
        let uri = parts.uri.to_string();
        let promise = self
            .transport
            .send(
                &self.ctx,
                parts.method.as_str(),
                &uri,
                &headers,
                body,
                streaming,
            )
            .map_err(|e| transport_error(&e))?;
        let value = JsFuture::from(promise)
            .await
            .map_err(|e| transport_error(&e))?;
        Ok(value.unchecked_into::<TransportResponse>())
    }
}

fn header_map(response: &TransportResponse) -> HeaderMap {
    crate::error::header_map(&response.headers())
}

fn body_bytes(response: &TransportResponse) -> Vec<u8> {
    response.body().map(|b| b.to_vec()).unwrap_or_default()
}

/// The error for a non-success reply: status, headers and body preserved,
/// as Rig's own transports report it.
fn non_success(response: &TransportResponse) -> Option<Error> {
    let status = response.status();
    if (200..300).contains(&status) {
        return None;
    }
    let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
    let body = String::from_utf8_lossy(&body_bytes(response)).into_owned();
    Some(Error::non_success_with_details(
        status,
        header_map(response),
        body,
    ))
}

fn head(response: &TransportResponse) -> http::response::Builder {
    let mut builder = Response::builder().status(response.status());
    if let Some(headers) = builder.headers_mut() {
        *headers = header_map(response);
    }
    builder
}

/// A streaming body: pulls chunks from the transport; cancels it when dropped.
struct BodyReader {
    response: TransportResponse,
    done: bool,
}

impl BodyReader {
    /// The body ended (or failed): nothing to cancel any more.
    fn finish(&mut self) {
        self.done = true;
    }
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        if !self.done {
            self.response.cancel();
        }
    }
}

fn body_stream(response: TransportResponse) -> impl Stream<Item = Result<Bytes>> {
    let reader = BodyReader {
        response,
        done: false,
    };
    futures::stream::unfold(reader, |mut reader| async move {
        if reader.done {
            return None;
        }
        let promise = match reader.response.read() {
            Ok(promise) => promise,
            Err(error) => {
                reader.finish();
                return Some((Err(transport_error(&error)), reader));
            }
        };
        match JsFuture::from(promise).await {
            Ok(chunk) if chunk.is_null() || chunk.is_undefined() => {
                reader.finish();
                None
            }
            Ok(chunk) => {
                let bytes = chunk.unchecked_into::<Uint8Array>().to_vec();
                Some((Ok(Bytes::from(bytes)), reader))
            }
            Err(error) => {
                reader.finish();
                Some((Err(transport_error(&error)), reader))
            }
        }
    })
}

impl HttpClientExt for JsHttp {
    fn send<T, U>(
        &self,
        req: Request<T>,
    ) -> impl std::future::Future<Output = Result<Response<LazyBody<U>>>> + 'static
    where
        T: Into<Bytes>,
        U: From<Bytes> + 'static,
    {
        let this = self.clone();
        let (parts, body) = req.into_parts();
        let body: Bytes = body.into();
        async move {
            let response = this.exchange(parts, body, false).await?;
            if let Some(error) = non_success(&response) {
                return Err(error);
            }
            let bytes = Bytes::from(body_bytes(&response));
            let lazy: LazyBody<U> = Box::pin(async move { Ok(U::from(bytes)) });
            head(&response).body(lazy).map_err(Error::Protocol)
        }
    }

    #[allow(clippy::manual_async_fn)] // the trait asks for `impl Future + 'static`
    fn send_multipart<U>(
        &self,
        _req: Request<MultipartForm>,
    ) -> impl std::future::Future<Output = Result<Response<LazyBody<U>>>> + 'static
    where
        U: From<Bytes> + 'static,
    {
        async {
            Err(Error::instance(TransportError(
                "multipart uploads are not supported by rig-wasm".to_owned(),
            )))
        }
    }

    fn send_streaming<T>(
        &self,
        req: Request<T>,
    ) -> impl std::future::Future<Output = Result<StreamingResponse>>
    where
        T: Into<Bytes>,
    {
        let this = self.clone();
        let (parts, body) = req.into_parts();
        let body: Bytes = body.into();
        async move {
            let response = this.exchange(parts, body, true).await?;
            if let Some(error) = non_success(&response) {
                return Err(error);
            }
            let builder = head(&response);
            let stream: rig_core::http_client::BoxedStream = Box::pin(body_stream(response));
            builder.body(stream).map_err(Error::Protocol)
        }
    }
}
