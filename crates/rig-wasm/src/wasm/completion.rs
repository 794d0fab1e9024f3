//! `CompletionModel`: one low-level completion call, no agent loop.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::transport::{JsHttp, Transport};
use super::{abortable, js_error, optional_json, promise_json, string_arg};
use crate::contract::{to_json, CompletionResponse};
use crate::convert;
use crate::error::{from_provider_error, BindError};
use crate::options::{CallKind, CallOptions, CompletionModelOptions};
use crate::providers::{self, ProviderSpec};

struct ModelState {
    spec: &'static ProviderSpec,
    options: CompletionModelOptions,
    transport: Transport,
}

/// A provider's completion model.
#[wasm_bindgen]
pub struct WasmCompletionModel {
    state: Rc<ModelState>,
}

impl ModelState {
    fn provider(&self) -> &str {
        self.spec.display_name(&self.options.connection)
    }

    fn redact(&self, error: BindError) -> BindError {
        match &self.options.connection.api_key {
            Some(key) => error.redact(key),
            None => error,
        }
    }

    async fn complete(
        self: Rc<Self>,
        request: JsValue,
        call: JsValue,
        ctx: JsValue,
    ) -> Result<String, BindError> {
        let work = async {
            let json = string_arg(&request, "request")?;
            let mut request = convert::completion_request(&json)?;
            if request.max_tokens.is_none() {
                request.max_tokens = self
                    .spec
                    .required_max_tokens(&self.options.model, self.options.api);
            }
            if let Some(call) = optional_json(&call, "options")? {
                CallOptions::parse(&call, CallKind::Model)?;
            }
            let options = &self.options;
            let http = JsHttp::new(self.transport.clone(), ctx.clone());
            let model = self.spec.completion_model(
                &options.connection,
                &options.model,
                options.api,
                http,
            )?;
            let provider = self.provider().to_owned();
            model
                .call(request)
                .await
                .map_err(|error| from_provider_error(&error, &provider))
        };
        let response = abortable(&ctx, work).await.map_err(|e| self.redact(e))?;
        Ok(to_json(&CompletionResponse {
            choice: response
                .choice
                .iter()
                .filter_map(convert::assistant_content)
                .collect(),
            text: convert::text_of(&response.choice),
            usage: convert::usage(&response.usage),
            request_id: response.provider_request_id,
        }))
    }
}

#[wasm_bindgen]
impl WasmCompletionModel {
    #[wasm_bindgen(constructor)]
    pub fn new(
        provider: &str,
        options: &str,
        transport: Transport,
    ) -> Result<WasmCompletionModel, JsValue> {
        let create = || -> Result<WasmCompletionModel, BindError> {
            let spec = providers::find(provider)?;
            let options = CompletionModelOptions::parse(options, spec.rules())?;
            spec.check(&options.connection, options.api)?;
            Ok(WasmCompletionModel {
                state: Rc::new(ModelState {
                    spec,
                    options,
                    transport,
                }),
            })
        };
        create().map_err(|e| js_error(&e))
    }

    /// One completion call. `request`: a `CompletionRequest` as JSON.
    /// Resolves to JSON `{choice, text, usage, requestId}`.
    pub fn completion(&self, request: JsValue, call: JsValue, ctx: JsValue) -> Promise {
        promise_json(self.state.clone().complete(request, call, ctx))
    }

    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.state.provider().to_owned()
    }
}
