//! `Agent`: Rig's agent over any provider, with JavaScript tools and stores.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use rig_agent::agent::{
    AgentHook, HookContext, InvalidToolCallAction, InvalidToolCallContext, InvalidToolCallReason,
};
use rig_agent::{Agent, AgentBuilder, AgentRunner};
use rig_core::completion::{Document, ToolDefinition};
use rig_core::tool::{DynamicTool, ToolExecutionError, ToolOutput};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::stream::WasmStream;
use super::transport::{js_message, JsHttp, Transport};
use super::vector_store::JsVectorStore;
use super::{abortable, js_error, optional_json, promise_json, type_of};
use crate::contract::to_json;
use crate::convert;
use crate::error::{from_prompt_error, BindError};
use crate::options::{prompt_text, AgentOptions, CallKind, CallOptions};
use crate::providers::{self, ProviderSpec};

/// Turns a model gets when the user sets no `maxTurns`: enough for a few
/// rounds of tool calls; a run without tools ends after its first answer.
pub const DEFAULT_MAX_TURNS: usize = 10;

struct AgentState {
    spec: &'static ProviderSpec,
    options: AgentOptions,
    transport: Transport,
    /// `invoke(name, argsJson)`: runs a JavaScript tool, resolves to its
    /// output text, rejects with the failure the model should see.
    invoker: Option<Function>,
    tools: RefCell<Vec<ToolDefinition>>,
    documents: Vec<Document>,
    /// The dynamic-context store, through its JavaScript bridge.
    store: Option<JsVectorStore>,
    /// The built Rig agent; rebuilt when the tool definitions change.
    agent: RefCell<Option<Agent>>,
}

/// Rig's agent (preamble, tools, context, multi-turn loop) over one provider.
#[wasm_bindgen]
pub struct WasmAgent {
    state: Rc<AgentState>,
}

/// Answers a call to a tool that does not exist with an error result, so the
/// model can correct itself (Rig's default would fail the whole run).
struct UnknownToolFeedback;

impl AgentHook for UnknownToolFeedback {
    async fn on_invalid_tool_call(
        &self,
        _ctx: &HookContext,
        event: &InvalidToolCallContext,
    ) -> Option<InvalidToolCallAction> {
        match event.reason {
            InvalidToolCallReason::UnknownTool | InvalidToolCallReason::DisallowedByToolChoice => {
                Some(InvalidToolCallAction::Skip {
                    reason: format!(
                        "Error: there is no tool named \"{}\". Available tools: {}.",
                        event.tool_name,
                        event.available_tools.join(", ")
                    ),
                })
            }
            _ => None,
        }
    }
}

fn js_tool(definition: &ToolDefinition, invoker: Function) -> DynamicTool {
    let name = definition.name.to_string();
    DynamicTool::new(
        definition.name.clone(),
        definition.description.clone(),
        definition.parameters.clone(),
        move |arguments: Value| {
            let invoker = invoker.clone();
            let name = name.clone();
            Box::pin(async move {
                let call = invoker.call2(
                    &JsValue::NULL,
                    &JsValue::from_str(&name),
                    &JsValue::from_str(&arguments.to_string()),
                );
                let promise = call
                    .map_err(|error| ToolExecutionError::other(js_message(&error)))?
                    .dyn_into::<Promise>()
                    .map_err(|_| {
                        ToolExecutionError::other("the tool bridge returned no promise")
                    })?;
                match JsFuture::from(promise).await {
                    Ok(output) => Ok(ToolOutput::text(output.as_string().unwrap_or_default())),
                    Err(error) => Err(ToolExecutionError::other(js_message(&error))),
                }
            })
        },
    )
}

impl AgentState {
    fn provider(&self) -> &str {
        self.spec.display_name(&self.options.connection)
    }

    fn error(&self, error: BindError) -> BindError {
        match &self.options.connection.api_key {
            Some(key) => error.redact(key),
            None => error,
        }
    }

    fn build(&self) -> Result<Agent, BindError> {
        let options = &self.options;
        let http = JsHttp::new(self.transport.clone(), JsValue::UNDEFINED);
        let model =
            self.spec
                .completion_model(&options.connection, &options.model, options.api, http)?;
        let mut builder = AgentBuilder::new(model)
            .default_max_turns(options.max_turns.unwrap_or(DEFAULT_MAX_TURNS))
            .add_hook(UnknownToolFeedback);
        if let Some(preamble) = &options.preamble {
            builder = builder.preamble(preamble.clone());
        }
        if let Some(temperature) = options.temperature {
            builder = builder.temperature(temperature);
        }
        let max_tokens = options
            .max_tokens
            .or_else(|| self.spec.required_max_tokens(&options.model, options.api));
        if let Some(max_tokens) = max_tokens {
            builder = builder.max_tokens(max_tokens);
        }
        if let Some(params) = &options.additional_params {
            builder = builder.additional_params(params.clone());
        }
        if let Some(store) = &self.store {
            let samples = options.dynamic_context_sample.unwrap_or(3);
            builder = builder.dynamic_context(samples, store.clone());
        }
        let tools = self.tools.borrow();
        match (&self.invoker, tools.is_empty()) {
            (Some(invoker), false) => {
                let tools = tools
                    .iter()
                    .map(|definition| js_tool(definition, invoker.clone()))
                    .collect();
                Ok(builder.dynamic_tools(tools).build())
            }
            _ => Ok(builder.build()),
        }
    }

    fn agent(&self) -> Result<Agent, BindError> {
        if let Some(agent) = self.agent.borrow().as_ref() {
            return Ok(agent.clone());
        }
        let agent = self.build()?;
        *self.agent.borrow_mut() = Some(agent.clone());
        Ok(agent)
    }

    /// A runner for one call: the agent, this call's transport context,
    /// options, history and static documents.
    fn runner(
        &self,
        prompt: &JsValue,
        history: &JsValue,
        call: &JsValue,
        ctx: &JsValue,
    ) -> Result<AgentRunner, BindError> {
        let text = prompt_text(prompt.as_string(), &type_of(prompt))?;
        let call = match optional_json(call, "options")? {
            Some(json) => CallOptions::parse(&json, CallKind::Agent)?,
            None => CallOptions::default(),
        };
        let history = match optional_json(history, "history")? {
            Some(json) => Some(convert::history(&json, "history")?),
            None => None,
        };
        let agent = self.agent()?;
        let tools = self.tools.borrow().len();
        let mut runner = agent.prompt(text);
        if !(ctx.is_undefined() || ctx.is_null()) {
            // This call has its own signal, timeout or retry budget: its
            // requests go through a transport bound to its context.
            let options = &self.options;
            let http = JsHttp::new(self.transport.clone(), ctx.clone());
            let model = self.spec.completion_model(
                &options.connection,
                &options.model,
                options.api,
                http,
            )?;
            runner = runner.using_model_value(model);
        }
        if tools > 1 {
            // Parallel tool calls of one turn run concurrently (JS tools are async).
            runner = runner.tool_concurrency(tools);
        }
        if !self.documents.is_empty() {
            runner = runner.documents(self.documents.clone());
        }
        if let Some(history) = history {
            runner = runner.history(history);
        }
        if let Some(turns) = call.max_turns {
            runner = runner.max_turns(turns);
        }
        if let Some(temperature) = call.temperature {
            runner = runner.temperature(temperature);
        }
        if let Some(max_tokens) = call.max_tokens {
            runner = runner.max_tokens(max_tokens);
        }
        Ok(runner)
    }

    async fn run(
        self: Rc<Self>,
        prompt: JsValue,
        history: JsValue,
        call: JsValue,
        ctx: JsValue,
    ) -> Result<String, BindError> {
        let outcome = async {
            let runner = self.runner(&prompt, &history, &call, &ctx)?;
            let provider = self.provider().to_owned();
            runner
                .await
                .map_err(|error| from_prompt_error(&error, &provider))
        };
        let response = abortable(&ctx, outcome).await.map_err(|e| self.error(e))?;
        Ok(to_json(&convert::agent_response(&response)))
    }
}

#[wasm_bindgen]
impl WasmAgent {
    /// `provider`: a row of the provider table; `options`: the agent options
    /// as JSON; `tools`: tool definitions as JSON (or undefined);
    /// `invoker`: the tool bridge; `store`: the dynamic-context store bridge.
    #[wasm_bindgen(constructor)]
    pub fn new(
        provider: &str,
        options: &str,
        transport: Transport,
        tools: JsValue,
        invoker: JsValue,
        store: JsValue,
    ) -> Result<WasmAgent, JsValue> {
        Self::create(provider, options, transport, tools, invoker, store).map_err(|e| js_error(&e))
    }

    /// Replace the tool definitions (when a tool's `definition()` changed).
    #[wasm_bindgen(js_name = setTools)]
    pub fn set_tools(&self, tools: &str) -> Result<(), JsValue> {
        let definitions = convert::tool_definitions(tools, "tools").map_err(|e| js_error(&e))?;
        *self.state.tools.borrow_mut() = definitions;
        *self.state.agent.borrow_mut() = None;
        Ok(())
    }

    /// Run the agent loop on `prompt` (after `history`, when given).
    /// Resolves to JSON `{text, usage, messages}`.
    pub fn prompt(
        &self,
        prompt: JsValue,
        history: JsValue,
        call: JsValue,
        ctx: JsValue,
    ) -> Promise {
        let state = self.state.clone();
        promise_json(state.run(prompt, history, call, ctx))
    }

    /// Start the agent loop as a stream of chunks.
    pub fn stream(
        &self,
        prompt: JsValue,
        history: JsValue,
        call: JsValue,
        ctx: JsValue,
    ) -> Result<WasmStream, JsValue> {
        let state = &self.state;
        let runner = state
            .runner(&prompt, &history, &call, &ctx)
            .map_err(|e| js_error(&state.error(e)))?;
        let redact = state.options.connection.api_key.clone();
        Ok(WasmStream::agent(
            runner.stream(),
            state.provider().to_owned(),
            redact,
            ctx,
        ))
    }

    /// The provider name this agent reports in errors.
    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.state.provider().to_owned()
    }
}

impl WasmAgent {
    fn create(
        provider: &str,
        options: &str,
        transport: Transport,
        tools: JsValue,
        invoker: JsValue,
        store: JsValue,
    ) -> Result<WasmAgent, BindError> {
        let spec = providers::find(provider)?;
        let options = AgentOptions::parse(options, spec.rules())?;
        spec.check(&options.connection, options.api)?;
        let tools = match optional_json(&tools, "tools")? {
            Some(json) => convert::tool_definitions(&json, "tools")?,
            None => Vec::new(),
        };
        let invoker = invoker.dyn_into::<Function>().ok();
        let store = store.dyn_into::<Function>().ok().map(JsVectorStore::new);
        if store.is_some() != options.dynamic_context_sample.is_some() {
            return Err(BindError::invalid(
                "dynamicContext.store",
                "is required: an object with a topN(request) method",
            ));
        }
        let documents = convert::rig_documents(&options.context, "static_doc_");
        let state = AgentState {
            spec,
            transport,
            invoker,
            tools: RefCell::new(tools),
            documents,
            store,
            agent: RefCell::new(None),
            options,
        };
        // Build once now so configuration errors surface at construction.
        let agent = state.build()?;
        *state.agent.borrow_mut() = Some(agent);
        Ok(WasmAgent {
            state: Rc::new(state),
        })
    }
}
