//! Every provider as data: one table row per provider, one generic function
//! per model kind that turns a row plus options into an erased Rig model.
//!
//! Adding a provider means adding a row (and, in TypeScript, a two-line
//! subpath module). Agents, streaming, tools and embeddings never look at
//! which provider they run on. Platform independent: the transport is a
//! parameter, so native tests build the same models over a canned transport.

use rig_core::http_client::HttpClientExt;
use rig_core::operation::{Completion, Embedding};
use rig_core::providers::openai::wire::{self as oai, Dialect, OpenAIConfig, Route};
use rig_core::DynModel;

use crate::error::{BindError, ErrorCode};
use crate::options::{ApiRoute, ConnectionOptions, KeyPolicy};

/// The wire family a provider speaks, with its Rig dialect.
#[derive(Clone, Copy, Debug)]
pub enum Family {
    /// OpenAI's Chat Completions / Responses grammar, in one of Rig's dialects.
    OpenAi(&'static Dialect),
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
    pub embeddings: bool,
}

/// The table. Order is the order of the README's providers table.
pub static PROVIDERS: &[ProviderSpec] = &[
    ProviderSpec {
        id: "openai",
        family: Family::OpenAi(&oai::OPENAI),
        key: KeyPolicy::Required,
        default_route: Some(ApiRoute::Responses),
        embeddings: true,
    },
    ProviderSpec {
        // Any OpenAI-compatible server: needs `baseURL`, the key is optional.
        id: "compatible",
        family: Family::OpenAi(&oai::OPENAI),
        key: KeyPolicy::Optional,
        default_route: Some(ApiRoute::Chat),
        embeddings: true,
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

impl ProviderSpec {
    /// The provider name errors report: a `compatible` endpoint's own name
    /// when the user gave one.
    pub fn display_name<'a>(&'a self, connection: &'a ConnectionOptions) -> &'a str {
        match (self.id, connection.name.as_deref()) {
            ("compatible", Some(name)) => name,
            _ => self.id,
        }
    }

    /// Reject options that only make sense elsewhere.
    pub fn check(&self, connection: &ConnectionOptions) -> Result<(), BindError> {
        if self.id == "compatible" && connection.base_url.is_none() {
            return Err(BindError::invalid(
                "baseURL",
                "is required for an OpenAI-compatible endpoint",
            ));
        }
        if connection.name.is_some() && self.id != "compatible" {
            return Err(BindError::invalid(
                "name",
                "is only an option of rig-wasm/compatible",
            ));
        }
        if connection.api_version.is_some() {
            return Err(BindError::invalid(
                "apiVersion",
                format!("is not an option of {}", self.id),
            ));
        }
        Ok(())
    }

    fn openai_config(&self, dialect: &Dialect, connection: &ConnectionOptions) -> OpenAIConfig {
        let key = connection.api_key.clone().unwrap_or_default();
        let mut config = OpenAIConfig::with_key(dialect, key);
        if let Some(base_url) = &connection.base_url {
            config = config.with_base_url(base_url.clone());
        }
        if let Some(version) = &connection.api_version {
            config = config.with_api_version(version.clone());
        }
        config
    }

    /// The completion model `model` on `http`.
    pub fn completion_model(
        &self,
        connection: &ConnectionOptions,
        model: &str,
        api: Option<ApiRoute>,
        http: impl HttpClientExt + 'static,
    ) -> Result<DynModel<Completion>, BindError> {
        match self.family {
            Family::OpenAi(dialect) => {
                let mut config = self.openai_config(dialect, connection);
                if let Some(route) = api.or(self.default_route) {
                    config = config.with_route(match route {
                        ApiRoute::Chat => Route::Chat,
                        ApiRoute::Responses => Route::Responses,
                    });
                }
                Ok(config.connect(http).completion(model).erase())
            }
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
            return Err(BindError::new(
                ErrorCode::Unsupported,
                format!("{} has no embedding models", self.id),
            ));
        }
        match self.family {
            Family::OpenAi(dialect) => Ok(self
                .openai_config(dialect, connection)
                .connect(http)
                .embedding(model, dimensions)
                .erase()),
        }
    }
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
    fn compatible_needs_a_base_url_and_reports_its_name() {
        let spec = find("compatible").unwrap();
        let mut connection = ConnectionOptions::default();
        assert_eq!(
            spec.check(&connection)
                .err()
                .and_then(|e| e.field)
                .as_deref(),
            Some("baseURL")
        );
        connection.base_url = Some("http://127.0.0.1:1/v1".into());
        connection.name = Some("local-llm".into());
        assert!(spec.check(&connection).is_ok());
        assert_eq!(spec.display_name(&connection), "local-llm");
    }
}
