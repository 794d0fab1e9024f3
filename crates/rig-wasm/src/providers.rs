//! Every provider as data: one table row per provider, one generic function
//! per model kind that turns a row plus options into an erased Rig model.
//!
//! Adding a provider means adding a row (and, in TypeScript, a three-line
//! subpath module). Agents, streaming, tools and embeddings never look at
//! which provider they run on. Platform independent: the transport is a
//! parameter, so native tests build the same models over a canned transport.
//!
//! Cargo features select wire families (`anthropic`, `gemini`, `cohere`,
//! `ollama`, `voyageai`, `openai-vendors`); `openai` and `compatible` are
//! always in. Rows of a family left out are not compiled, and neither is
//! the family's Rig code.

use rig_core::http_client::HttpClientExt;
use rig_core::operation::{Completion, Embedding};
use rig_core::providers::openai::wire::{self as oai, OpenAIConfig, Route};
use rig_core::DynModel;

use crate::error::{BindError, ErrorCode};
use crate::options::{ApiRoute, ConnectionOptions, KeyPolicy, Rules};

/// The wire family a provider speaks, with its Rig dialect.
#[derive(Clone, Copy, Debug)]
pub enum Family {
    /// OpenAI's Chat Completions / Responses grammar, in one of Rig's
    /// dialects; some vendors also serve an Anthropic-format endpoint.
    OpenAi {
        dialect: &'static oai::Dialect,
        #[cfg(feature = "anthropic")]
        messages: Option<&'static rig_core::providers::anthropic::wire::Dialect>,
    },
    /// Anthropic's Messages API.
    #[cfg(feature = "anthropic")]
    Anthropic(&'static rig_core::providers::anthropic::wire::Dialect),
    /// Gemini's generateContent API.
    #[cfg(feature = "gemini")]
    Gemini,
    /// Cohere's v2 chat and v1 embed APIs.
    #[cfg(feature = "cohere")]
    Cohere,
    /// Ollama's native `/api/chat` (NDJSON) and `/api/embed`.
    #[cfg(feature = "ollama")]
    Ollama,
    /// Voyage AI: embeddings only.
    #[cfg(feature = "voyageai")]
    VoyageAi,
}

/// One provider: everything the generic code needs to know about it.
#[derive(Clone, Copy, Debug)]
pub struct ProviderSpec {
    /// The subpath (`rig-wasm/<id>`) and the provider name errors carry.
    pub id: &'static str,
    pub family: Family,
    pub key: KeyPolicy,
    /// The OpenAI endpoint used when the user picks none.
    pub default_route: Option<ApiRoute>,
    pub completion: bool,
    pub embeddings: bool,
    /// Whether the provider has no default host (`baseURL` is required).
    pub needs_base_url: bool,
    /// Provider-specific option names this provider accepts.
    pub extra_options: &'static [&'static str],
}

const NONE: &[&str] = &[];

/// A row for an OpenAI-dialect vendor.
const fn openai_vendor(
    id: &'static str,
    dialect: &'static oai::Dialect,
    embeddings: bool,
) -> ProviderSpec {
    ProviderSpec {
        id,
        family: Family::OpenAi {
            dialect,
            #[cfg(feature = "anthropic")]
            messages: None,
        },
        key: KeyPolicy::Required,
        default_route: Some(ApiRoute::Chat),
        completion: true,
        embeddings,
        needs_base_url: false,
        extra_options: NONE,
    }
}

/// A row for a vendor that serves both OpenAI's and Anthropic's formats.
#[cfg(feature = "openai-vendors")]
const fn dual_vendor(
    id: &'static str,
    dialect: &'static oai::Dialect,
    #[cfg(feature = "anthropic")] messages: &'static rig_core::providers::anthropic::wire::Dialect,
) -> ProviderSpec {
    ProviderSpec {
        family: Family::OpenAi {
            dialect,
            #[cfg(feature = "anthropic")]
            messages: Some(messages),
        },
        ..openai_vendor(id, dialect, false)
    }
}

#[cfg(feature = "anthropic")]
use rig_core::providers::anthropic::wire as anthropic;

/// The table. Order is the order of the README's providers table.
pub static PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        default_route: Some(ApiRoute::Responses),
        ..openai_vendor("openai", &oai::OPENAI, true)
    },
    #[cfg(feature = "anthropic")]
    ProviderSpec {
        id: "anthropic",
        family: Family::Anthropic(&anthropic::ANTHROPIC),
        key: KeyPolicy::Required,
        default_route: None,
        completion: true,
        embeddings: false,
        needs_base_url: false,
        extra_options: NONE,
    },
    #[cfg(feature = "openai-vendors")]
    ProviderSpec {
        needs_base_url: true,
        extra_options: &["apiVersion", "endpoint", "deployment"],
        ..openai_vendor("azure", &oai::AZURE, true)
    },
    #[cfg(feature = "cohere")]
    ProviderSpec {
        id: "cohere",
        family: Family::Cohere,
        key: KeyPolicy::Required,
        default_route: None,
        completion: true,
        embeddings: true,
        needs_base_url: false,
        extra_options: NONE,
    },
    #[cfg(feature = "openai-vendors")]
    openai_vendor("deepseek", &oai::DEEPSEEK, false),
    #[cfg(feature = "openai-vendors")]
    openai_vendor("doubleword", &oai::DOUBLEWORD, true),
    #[cfg(feature = "gemini")]
    ProviderSpec {
        id: "gemini",
        family: Family::Gemini,
        key: KeyPolicy::Required,
        default_route: None,
        completion: true,
        embeddings: true,
        needs_base_url: false,
        extra_options: NONE,
    },
    #[cfg(feature = "openai-vendors")]
    openai_vendor("groq", &oai::GROQ, false),
    #[cfg(feature = "openai-vendors")]
    openai_vendor("huggingface", &oai::HUGGINGFACE, false),
    #[cfg(feature = "openai-vendors")]
    openai_vendor("hyperbolic", &oai::HYPERBOLIC, false),
    #[cfg(feature = "openai-vendors")]
    ProviderSpec {
        key: KeyPolicy::Optional,
        ..openai_vendor("llamacpp", &oai::LLAMACPP, true)
    },
    #[cfg(feature = "openai-vendors")]
    dual_vendor(
        "minimax",
        &oai::MINIMAX,
        #[cfg(feature = "anthropic")]
        &anthropic::MINIMAX,
    ),
    #[cfg(feature = "openai-vendors")]
    openai_vendor("mira", &oai::MIRA, false),
    #[cfg(feature = "openai-vendors")]
    openai_vendor("mistral", &oai::MISTRAL, true),
    #[cfg(feature = "openai-vendors")]
    dual_vendor(
        "moonshot",
        &oai::MOONSHOT,
        #[cfg(feature = "anthropic")]
        &anthropic::MOONSHOT,
    ),
    #[cfg(feature = "ollama")]
    ProviderSpec {
        id: "ollama",
        family: Family::Ollama,
        key: KeyPolicy::Optional,
        default_route: None,
        completion: true,
        embeddings: true,
        needs_base_url: false,
        extra_options: &["host"],
    },
    #[cfg(feature = "openai-vendors")]
    ProviderSpec {
        default_route: Some(ApiRoute::Chat),
        ..openai_vendor("openrouter", &oai::OPENROUTER, true)
    },
    #[cfg(feature = "openai-vendors")]
    openai_vendor("perplexity", &oai::PERPLEXITY, false),
    #[cfg(feature = "openai-vendors")]
    openai_vendor("together", &oai::TOGETHER, true),
    #[cfg(feature = "openai-vendors")]
    openai_vendor("venice", &oai::VENICE, true),
    #[cfg(feature = "voyageai")]
    ProviderSpec {
        id: "voyageai",
        family: Family::VoyageAi,
        key: KeyPolicy::Required,
        default_route: None,
        completion: false,
        embeddings: true,
        needs_base_url: false,
        extra_options: NONE,
    },
    #[cfg(feature = "openai-vendors")]
    ProviderSpec {
        default_route: Some(ApiRoute::Responses),
        ..openai_vendor("xai", &rig_core::providers::xai::DIALECT, true)
    },
    #[cfg(feature = "openai-vendors")]
    dual_vendor(
        "xiaomimimo",
        &oai::XIAOMIMIMO,
        #[cfg(feature = "anthropic")]
        &anthropic::XIAOMIMIMO,
    ),
    #[cfg(feature = "openai-vendors")]
    dual_vendor(
        "zai",
        &oai::ZAI,
        #[cfg(feature = "anthropic")]
        &anthropic::ZAI,
    ),
    ProviderSpec {
        // Any OpenAI-compatible server: needs `baseURL`, the key is optional.
        key: KeyPolicy::Optional,
        needs_base_url: true,
        extra_options: &["name"],
        ..openai_vendor("compatible", &oai::OPENAI, true)
    },
];

/// The provider called `id`.
pub fn find(id: &str) -> Result<&'static ProviderSpec, BindError> {
    PROVIDERS.iter().find(|spec| spec.id == id).ok_or_else(|| {
        let known: Vec<&str> = PROVIDERS.iter().map(|spec| spec.id).collect();
        BindError::invalid(
            "provider",
            format!(
                "\"{id}\" is not a provider of this build ({})",
                known.join(", ")
            ),
        )
    })
}

/// `max_tokens` used when the user sets none on a provider that requires it.
pub const FALLBACK_MAX_TOKENS: u64 = 4096;

impl ProviderSpec {
    /// The provider name errors report: a `compatible` endpoint's own name
    /// when the user gave one.
    pub fn display_name<'a>(&'a self, connection: &'a ConnectionOptions) -> &'a str {
        match (self.id, connection.name.as_deref()) {
            ("compatible", Some(name)) => name,
            _ => self.id,
        }
    }

    /// What this provider's options may hold.
    pub fn rules(&self) -> Rules<'static> {
        Rules {
            key: self.key,
            extra: self.extra_options,
        }
    }

    /// Whether `route` is an endpoint this provider serves.
    fn serves(&self, route: ApiRoute) -> bool {
        match (&self.family, route) {
            (Family::OpenAi { .. }, ApiRoute::Chat | ApiRoute::Responses) => true,
            #[cfg(feature = "anthropic")]
            (Family::OpenAi { messages, .. }, ApiRoute::Messages) => messages.is_some(),
            #[cfg(feature = "anthropic")]
            (Family::Anthropic(_), ApiRoute::Messages) => true,
            _ => false,
        }
    }

    /// Reject options that only make sense elsewhere.
    pub fn check(
        &self,
        connection: &ConnectionOptions,
        api: Option<ApiRoute>,
    ) -> Result<(), BindError> {
        if self.needs_base_url && connection.base_url.is_none() {
            let example = match self.id {
                "azure" => " (your resource endpoint, e.g. https://my-resource.openai.azure.com)",
                _ => " (the server's OpenAI-style base URL, e.g. http://localhost:8000/v1)",
            };
            return Err(BindError::invalid(
                if self.id == "azure" {
                    "endpoint"
                } else {
                    "baseURL"
                },
                format!("is required for {}{example}", self.id),
            ));
        }
        if let Some(route) = api {
            if !self.serves(route) {
                return Err(BindError::invalid(
                    "api",
                    format!(
                        "\"{}\" is not an endpoint {} serves",
                        route.as_str(),
                        self.id
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The `max_tokens` to send when none is set: Anthropic-format APIs
    /// require one, so they get Rig's default for the model (or 4096).
    pub fn required_max_tokens(&self, model: &str, api: Option<ApiRoute>) -> Option<u64> {
        match (&self.family, api) {
            #[cfg(feature = "anthropic")]
            (Family::Anthropic(dialect), _) => Some(
                dialect
                    .default_max_tokens(&rig_core::catalog::ModelFacts::default(), model)
                    .unwrap_or(FALLBACK_MAX_TOKENS),
            ),
            #[cfg(feature = "anthropic")]
            (
                Family::OpenAi {
                    messages: Some(dialect),
                    ..
                },
                Some(ApiRoute::Messages),
            ) => Some(
                dialect
                    .default_max_tokens(&rig_core::catalog::ModelFacts::default(), model)
                    .unwrap_or(FALLBACK_MAX_TOKENS),
            ),
            _ => {
                let _ = model;
                None
            }
        }
    }

    fn openai_config(
        &self,
        dialect: &oai::Dialect,
        connection: &ConnectionOptions,
    ) -> OpenAIConfig {
        let mut config = OpenAIConfig::with_key(dialect, key(connection));
        if connection.api_key.is_none() && self.key == KeyPolicy::Optional {
            // A keyless local server must not get an empty `Authorization`.
            config.auth = oai::Auth::OptionalBearer;
        }
        if let Some(base_url) = &connection.base_url {
            config = config.with_base_url(base_url.clone());
        }
        if let Some(version) = &connection.api_version {
            config = config.with_api_version(version.clone());
        }
        config
    }

    fn unsupported(&self, what: &str) -> BindError {
        BindError::new(ErrorCode::Unsupported, format!("{} has no {what}", self.id))
            .with_provider(self.id)
    }

    /// The completion model `model` on `http`.
    pub fn completion_model(
        &self,
        connection: &ConnectionOptions,
        model: &str,
        api: Option<ApiRoute>,
        http: impl HttpClientExt + 'static,
    ) -> Result<DynModel<Completion>, BindError> {
        if !self.completion {
            return Err(self.unsupported("completion models (it serves embeddings only)"));
        }
        match self.family {
            #[cfg(feature = "anthropic")]
            Family::OpenAi {
                messages: Some(dialect),
                ..
            } if api == Some(ApiRoute::Messages) => {
                let mut config = anthropic::AnthropicConfig::with_key(dialect, key(connection));
                if let Some(base_url) = &connection.base_url {
                    config = config.with_base_url(base_url);
                }
                Ok(streaming_model(config.connect(http).completion(model)))
            }
            Family::OpenAi { dialect, .. } => {
                let mut config = self.openai_config(dialect, connection);
                match api.or(self.default_route) {
                    Some(ApiRoute::Chat) => config = config.with_route(Route::Chat),
                    Some(ApiRoute::Responses) => config = config.with_route(Route::Responses),
                    _ => {}
                }
                Ok(streaming_model(config.connect(http).completion(model)))
            }
            #[cfg(feature = "anthropic")]
            Family::Anthropic(dialect) => {
                let mut config = anthropic::AnthropicConfig::with_key(dialect, key(connection));
                if let Some(base_url) = &connection.base_url {
                    config = config.with_base_url(base_url);
                }
                Ok(streaming_model(config.connect(http).completion(model)))
            }
            #[cfg(feature = "gemini")]
            Family::Gemini => {
                let mut config = rig_core::providers::gemini::GeminiConfig::new(key(connection));
                if let Some(base_url) = &connection.base_url {
                    config = config.with_base_url(base_url.clone());
                }
                Ok(streaming_model(config.connect(http).completion(model)))
            }
            #[cfg(feature = "cohere")]
            Family::Cohere => {
                use rig_core::providers::cohere::ChatRoute;
                let mut config = rig_core::providers::cohere::CohereConfig::new(key(connection));
                if let Some(base_url) = &connection.base_url {
                    config = config.with_base_url(base_url);
                }
                // The native v2 chat API for every request (Rig's default sends
                // requests without documents to the OpenAI-compatibility API).
                let wire = config.completion(model).with_route(ChatRoute::Native);
                Ok(streaming_model(rig_core::Model::new(
                    wire,
                    rig_core::http_client::DynHttpClient::new(http),
                )))
            }
            #[cfg(feature = "ollama")]
            Family::Ollama => Ok(streaming_model(
                ollama_config(connection)
                    .connect(http)
                    .native_completion(model),
            )),
            #[cfg(feature = "voyageai")]
            Family::VoyageAi => Err(self.unsupported("completion models")),
        }
    }

    /// The embedding model `model` on `http`.
    pub fn embedding_model(
        &self,
        connection: &ConnectionOptions,
        model: &str,
        dimensions: Option<usize>,
        http: impl HttpClientExt + 'static,
    ) -> Result<DynModel<Embedding>, BindError> {
        if !self.embeddings {
            return Err(self.unsupported("embedding models"));
        }
        match self.family {
            Family::OpenAi { dialect, .. } => Ok(self
                .openai_config(dialect, connection)
                .connect(http)
                .embedding(model, dimensions)
                .erase()),
            #[cfg(feature = "anthropic")]
            Family::Anthropic(_) => Err(self.unsupported("embedding models")),
            #[cfg(feature = "gemini")]
            Family::Gemini => {
                let mut config = rig_core::providers::gemini::GeminiConfig::new(key(connection));
                if let Some(base_url) = &connection.base_url {
                    config = config.with_base_url(base_url.clone());
                }
                Ok(config.connect(http).embedding(model, dimensions).erase())
            }
            #[cfg(feature = "cohere")]
            Family::Cohere => {
                let mut config = rig_core::providers::cohere::CohereConfig::new(key(connection));
                if let Some(base_url) = &connection.base_url {
                    config = config.with_base_url(base_url);
                }
                Ok(config.connect(http).embedding(model, dimensions).erase())
            }
            #[cfg(feature = "ollama")]
            Family::Ollama => Ok(ollama_config(connection)
                .connect(http)
                .embedding(model, dimensions)
                .erase()),
            #[cfg(feature = "voyageai")]
            Family::VoyageAi => {
                let mut config =
                    rig_core::providers::voyageai::wire::VoyageAiConfig::new(key(connection));
                if let Some(base_url) = &connection.base_url {
                    config = config.with_base_url(base_url);
                }
                Ok(config.connect(http).embedding(model, dimensions).erase())
            }
        }
    }
}

/// A completion model as the binding runs it. Rig times a streamed reply's
/// silence with a timer per frame read (a `setTimeout` and a closure across
/// the boundary for every SSE event); the TypeScript transport watches for
/// a stalled stream instead, with one timer per stream, so Rig's is off.
fn streaming_model<W, T>(model: rig_core::Model<W, T>) -> DynModel<Completion>
where
    W: rig_core::wire::Wire<Op = Completion>,
    T: rig_core::driver::Transport<W>,
{
    model.with_idle_timeout(None).erase()
}

/// The credential, empty when none was given.
#[allow(dead_code)] // unused when only the OpenAI family is built
fn key(connection: &ConnectionOptions) -> String {
    connection.api_key.clone().unwrap_or_default()
}

#[cfg(feature = "ollama")]
fn ollama_config(connection: &ConnectionOptions) -> rig_core::providers::ollama::OllamaConfig {
    let mut config = rig_core::providers::ollama::OllamaConfig::new();
    if let Some(base_url) = &connection.base_url {
        config = config.with_base_url(base_url);
    }
    if let Some(key) = &connection.api_key {
        config = config.with_api_key(key.clone());
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_is_found_by_its_id() {
        for spec in PROVIDERS {
            assert_eq!(find(spec.id).map(|s| s.id), Ok(spec.id));
        }
        let error = find("nope").err();
        assert!(error.map(|e| e.message.contains("openai")).unwrap_or(false));
    }

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<&str> = PROVIDERS.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), PROVIDERS.len());
    }

    #[test]
    fn compatible_needs_a_base_url_and_reports_its_name() {
        let spec = find("compatible").unwrap();
        let mut connection = ConnectionOptions::default();
        assert_eq!(
            spec.check(&connection, None)
                .err()
                .and_then(|e| e.field)
                .as_deref(),
            Some("baseURL")
        );
        connection.base_url = Some("http://127.0.0.1:1/v1".into());
        connection.name = Some("local-llm".into());
        assert!(spec.check(&connection, None).is_ok());
        assert_eq!(spec.display_name(&connection), "local-llm");
    }

    #[test]
    fn routes_are_checked_per_provider() {
        let openai = find("openai").unwrap();
        let connection = ConnectionOptions::default();
        assert!(openai.check(&connection, Some(ApiRoute::Chat)).is_ok());
        let error = openai.check(&connection, Some(ApiRoute::Messages)).err();
        assert_eq!(error.and_then(|e| e.field).as_deref(), Some("api"));
    }

    #[cfg(all(feature = "anthropic", feature = "openai-vendors"))]
    #[test]
    fn anthropic_format_gets_a_max_tokens_default() {
        let anthropic = find("anthropic").unwrap();
        assert_eq!(
            anthropic.required_max_tokens("some-new-model", None),
            Some(FALLBACK_MAX_TOKENS)
        );
        assert!(anthropic
            .required_max_tokens("claude-sonnet-4-5", None)
            .is_some());
        let zai = find("zai").unwrap();
        assert_eq!(zai.required_max_tokens("glm", None), None);
        assert!(zai
            .required_max_tokens("glm", Some(ApiRoute::Messages))
            .is_some());
        assert!(zai
            .check(&ConnectionOptions::default(), Some(ApiRoute::Messages))
            .is_ok());
    }

    #[cfg(feature = "openai-vendors")]
    #[test]
    fn azure_needs_its_endpoint() {
        let azure = find("azure").unwrap();
        let error = azure.check(&ConnectionOptions::default(), None).err();
        assert_eq!(error.and_then(|e| e.field).as_deref(), Some("endpoint"));
    }
}
