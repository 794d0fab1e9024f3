//! A language model from a GGUF file: tokenizer, chat template, decoder and
//! one generation at a time, advanced token by token (`step`) so callers
//! can stream and stay responsive between tokens.
//!
//! Consecutive prompts that share a prefix (a conversation's next turn, an
//! agent's next tool round) reuse the cached keys/values of that prefix.

use candle_core::quantized::gguf_file::Content;
use serde::{Deserialize, Serialize};

use crate::chat::{ChatMessage, Template};
use crate::error::LocalError;
use crate::sampling::{penalize, sample, Rng, Sampling};
use crate::tokenizer::{TextStream, Tokenizer};
use crate::transformer::Transformer;

/// Prompts longer than this are fed in several passes (bounds the memory of
/// the attention scores).
const PREFILL_CHUNK: usize = 256;

/// What the model is, for `info()`.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    pub name: String,
    pub architecture: String,
    pub template: String,
    /// The context this runtime serves (≤ the model's own).
    pub context_length: usize,
    pub model_context_length: usize,
    pub vocab_size: usize,
    pub layers: usize,
    pub embedding_length: usize,
    pub bos: Option<u32>,
    pub eos: Option<u32>,
    pub add_bos: bool,
    pub stop_tokens: Vec<u32>,
}

/// How to load a model.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadOptions {
    /// Requantize tensors in formats with no SIMD kernel on this target to
    /// Q8_0 at load (default true): Q5_0/Q5_1, and natively Q4_1.
    #[serde(default = "yes")]
    pub requantize: bool,
}

fn yes() -> bool {
    true
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self { requantize: true }
    }
}

/// Options of one generation (JSON from JavaScript, camelCase).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateOptions {
    #[serde(default = "default_max_tokens")]
    pub max_tokens: usize,
    #[serde(default = "default_temperature")]
    pub temperature: f32,
    #[serde(default = "default_top_k")]
    pub top_k: usize,
    #[serde(default = "default_top_p")]
    pub top_p: f32,
    /// The sampling seed; a random one when none is given.
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default = "default_repeat_penalty")]
    pub repeat_penalty: f32,
    #[serde(default = "default_repeat_last_n")]
    pub repeat_last_n: usize,
    /// Texts that end the answer (not included in it).
    #[serde(default)]
    pub stop: Vec<String>,
}

fn default_max_tokens() -> usize {
    256
}
fn default_temperature() -> f32 {
    0.7
}
fn default_top_k() -> usize {
    40
}
fn default_top_p() -> f32 {
    0.9
}
fn default_repeat_penalty() -> f32 {
    1.1
}
fn default_repeat_last_n() -> usize {
    64
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            max_tokens: default_max_tokens(),
            temperature: default_temperature(),
            top_k: default_top_k(),
            top_p: default_top_p(),
            seed: None,
            repeat_penalty: default_repeat_penalty(),
            repeat_last_n: default_repeat_last_n(),
            stop: Vec::new(),
        }
    }
}

impl GenerateOptions {
    /// Options from JSON (camelCase), checked: the one reader of generation
    /// options, whatever host or worker they came through. Every error names
    /// the field.
    pub fn parse(json: &str) -> Result<Self, LocalError> {
        let reader = &mut serde_json::Deserializer::from_str(json);
        let options: Self = serde_path_to_error::deserialize(reader).map_err(|error| {
            let path = error.path().to_string();
            let field = if path == "." {
                "options".to_owned()
            } else {
                path
            };
            let message = error.into_inner().to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned();
            LocalError::invalid(field, message)
        })?;
        options.validate()?;
        Ok(options)
    }

    /// Check ranges; every message names the field.
    pub fn validate(&self) -> Result<(), LocalError> {
        let finite = |v: f32| v.is_finite();
        if self.max_tokens == 0 {
            return Err(LocalError::invalid("maxTokens", "must be at least 1"));
        }
        if !finite(self.temperature) || self.temperature < 0.0 {
            return Err(LocalError::invalid("temperature", "must be a number ≥ 0"));
        }
        if !finite(self.top_p) || self.top_p <= 0.0 || self.top_p > 1.0 {
            return Err(LocalError::invalid("topP", "must be in (0, 1]"));
        }
        if !finite(self.repeat_penalty) || self.repeat_penalty <= 0.0 {
            return Err(LocalError::invalid("repeatPenalty", "must be a number > 0"));
        }
        if self.stop.iter().any(String::is_empty) {
            return Err(LocalError::invalid(
                "stop",
                "must not contain empty strings",
            ));
        }
        Ok(())
    }
}

/// A seed from the platform's random source (0 if it has none).
fn random_seed() -> u64 {
    getrandom::u64().unwrap_or(0)
}

/// Why a generation ended.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum FinishReason {
    /// The model ended its turn, or a stop text appeared.
    Stop,
    /// `maxTokens` were produced.
    Length,
}

/// One step's result: new text (maybe empty, e.g. half a UTF-8 character)
/// and, on the last step, why it ended.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub text: String,
    pub token: Option<u32>,
    pub finish: Option<FinishReason>,
}

struct Generation {
    /// Tokens to feed before sampling the next one.
    pending: Vec<u32>,
    produced: usize,
    options: GenerateOptions,
    sampling: Sampling,
    rng: Rng,
    /// Prompt and generated tokens, for the repeat penalty.
    history: Vec<u32>,
    text: TextStream,
    /// Text held back because it may be the start of a stop string.
    held: String,
    prompt_tokens: usize,
    finished: bool,
}

impl Generation {
    /// End the generation: the last step carries all text still held back.
    fn finish(&mut self, token: u32, reason: FinishReason) -> Step {
        self.finished = true;
        let mut text = std::mem::take(&mut self.held);
        text.push_str(&self.text.finish());
        Step {
            text,
            token: Some(token),
            finish: Some(reason),
        }
    }
}

/// A GGUF language model and its current generation.
pub struct LanguageModel {
    transformer: Transformer,
    pub tokenizer: Tokenizer,
    pub template: Template,
    /// The tokens whose keys/values are in the cache, in order.
    cached: Vec<u32>,
    generation: Option<Generation>,
}

impl LanguageModel {
    /// Parse a GGUF file. The bytes may be dropped afterwards.
    pub fn load(bytes: &[u8]) -> Result<Self, LocalError> {
        Self::load_with(bytes, &LoadOptions::default())
    }

    pub fn load_with(bytes: &[u8], options: &LoadOptions) -> Result<Self, LocalError> {
        let mut reader = std::io::Cursor::new(bytes);
        let content = Content::read(&mut reader)
            .map_err(|e| LocalError::Model(format!("not a GGUF file this runtime reads: {e}")))?;
        let tokenizer = Tokenizer::from_gguf(&content)?;
        let transformer = Transformer::load(&content, bytes, options.requantize)?;
        let gguf_template = content
            .metadata
            .get("tokenizer.chat_template")
            .and_then(|v| v.to_string().ok())
            .map(String::as_str);
        let has_turn_tokens = tokenizer.token_id("<start_of_turn>").is_some();
        let template = Template::detect(
            gguf_template,
            &transformer.config.architecture,
            has_turn_tokens,
        );
        Ok(Self {
            transformer,
            tokenizer,
            template,
            cached: Vec::new(),
            generation: None,
        })
    }

    pub fn info(&self) -> ModelInfo {
        let c = &self.transformer.config;
        ModelInfo {
            name: c.name.clone(),
            architecture: c.architecture.clone(),
            template: self.template.name().to_owned(),
            context_length: c.max_seq,
            model_context_length: c.context_length,
            vocab_size: self.tokenizer.vocab_size(),
            layers: c.n_layer,
            embedding_length: c.embed_dim,
            bos: self.tokenizer.bos,
            eos: self.tokenizer.eos,
            add_bos: self.tokenizer.add_bos,
            stop_tokens: self.tokenizer.stop_ids.clone(),
        }
    }

    pub fn set_template(&mut self, template: Template) {
        self.template = template;
    }

    /// The prompt text for a conversation, in this model's chat format.
    pub fn render(&self, messages: &[ChatMessage]) -> Result<String, LocalError> {
        self.template.render(messages)
    }

    /// Token ids of a prompt (with the model's BOS when it wants one; chat
    /// control tokens written in the text are parsed).
    pub fn encode_prompt(&self, prompt: &str) -> Result<Vec<u32>, LocalError> {
        self.tokenizer.encode(prompt, self.tokenizer.add_bos, true)
    }

    /// Feed `tokens` after the longest prefix already cached; the logits of
    /// the last token.
    fn feed(&mut self, tokens: &[u32]) -> Result<Vec<f32>, LocalError> {
        let shared = self
            .cached
            .iter()
            .zip(tokens)
            .take_while(|(a, b)| a == b)
            .count()
            .min(tokens.len().saturating_sub(1));
        self.transformer.truncate(shared);
        self.cached.truncate(shared);
        let mut logits = Vec::new();
        for chunk in tokens
            .get(shared..)
            .unwrap_or_default()
            .chunks(PREFILL_CHUNK)
        {
            logits = self.transformer.forward(chunk)?;
            self.cached.extend_from_slice(chunk);
        }
        if logits.is_empty() {
            return Err(LocalError::invalid("prompt", "must not be empty"));
        }
        Ok(logits)
    }

    /// The next-token logits after `prompt` (raw text, tokenized as a prompt).
    pub fn logits(&mut self, prompt: &str) -> Result<Vec<f32>, LocalError> {
        self.generation = None;
        let tokens = self.encode_prompt(prompt)?;
        if tokens.is_empty() {
            return Err(LocalError::invalid("prompt", "must not be empty"));
        }
        self.feed(&tokens)
    }

    /// The next-token logits after `tokens`, taken as given (no BOS added):
    /// for scoring a token sequence, or following another engine's tokens.
    pub fn logits_of(&mut self, tokens: &[u32]) -> Result<Vec<f32>, LocalError> {
        self.generation = None;
        if tokens.is_empty() {
            return Err(LocalError::invalid("tokens", "must not be empty"));
        }
        let vocab = self.tokenizer.vocab_size();
        if let Some(bad) = tokens.iter().find(|&&t| t as usize >= vocab) {
            return Err(LocalError::invalid(
                "tokens",
                format!("{bad} is not a token id of this model"),
            ));
        }
        self.feed(tokens)
    }

    /// Begin generating after `prompt`; returns the prompt's token count.
    /// Any unfinished generation is abandoned.
    pub fn start(&mut self, prompt: &str, options: GenerateOptions) -> Result<usize, LocalError> {
        options.validate()?;
        self.generation = None;
        let tokens = self.encode_prompt(prompt)?;
        if tokens.is_empty() {
            return Err(LocalError::invalid("prompt", "must not be empty"));
        }
        let context = self.transformer.config.max_seq;
        if tokens.len() >= context {
            return Err(LocalError::invalid(
                "prompt",
                format!(
                    "is {} tokens; the local model serves a context of {context}",
                    tokens.len()
                ),
            ));
        }
        let seed = options.seed.unwrap_or_else(random_seed);
        let sampling = Sampling {
            temperature: options.temperature,
            top_k: options.top_k,
            top_p: options.top_p,
            seed,
            repeat_penalty: options.repeat_penalty,
            repeat_last_n: options.repeat_last_n,
        };
        let prompt_tokens = tokens.len();
        self.generation = Some(Generation {
            history: tokens.clone(),
            pending: tokens,
            produced: 0,
            rng: Rng::new(seed),
            sampling,
            options,
            text: TextStream::default(),
            held: String::new(),
            prompt_tokens,
            finished: false,
        });
        Ok(prompt_tokens)
    }

    /// The prompt token count and tokens produced so far, of the current generation.
    pub fn usage(&self) -> (usize, usize) {
        self.generation
            .as_ref()
            .map_or((0, 0), |g| (g.prompt_tokens, g.produced))
    }

    /// Produce one token. `Ok(None)` when there is no generation running.
    pub fn step(&mut self) -> Result<Option<Step>, LocalError> {
        let Some(mut generation) = self.generation.take() else {
            return Ok(None);
        };
        if generation.finished {
            return Ok(None);
        }
        let result = self.step_inner(&mut generation);
        if result.is_err() {
            generation.finished = true;
        }
        self.generation = Some(generation);
        result.map(Some)
    }

    fn step_inner(&mut self, g: &mut Generation) -> Result<Step, LocalError> {
        let context = self.transformer.config.max_seq;
        let pending = std::mem::take(&mut g.pending);
        let mut logits = self.feed_continuing(&pending)?;
        let window_start = g.history.len().saturating_sub(g.sampling.repeat_last_n);
        penalize(
            &mut logits,
            g.history.get(window_start..).unwrap_or_default(),
            g.sampling.repeat_penalty,
        );
        let token = sample(&logits, &g.sampling, &mut g.rng);
        if self.tokenizer.stop_ids.contains(&token) {
            return Ok(g.finish(token, FinishReason::Stop));
        }
        g.produced += 1;
        g.history.push(token);
        g.pending = vec![token];
        let piece = if self.tokenizer.is_control(token) {
            String::new()
        } else {
            g.text.push(&self.tokenizer.token_bytes(token))
        };
        g.held.push_str(&piece);
        // A stop text: everything before it is the rest of the answer.
        if let Some(at) = g
            .options
            .stop
            .iter()
            .filter_map(|s| g.held.find(s.as_str()))
            .min()
        {
            g.finished = true;
            let text = g.held.get(..at).unwrap_or_default().to_owned();
            g.held.clear();
            return Ok(Step {
                text,
                token: Some(token),
                finish: Some(FinishReason::Stop),
            });
        }
        let out_of_room = self.cached.len() + 1 >= context;
        if g.produced >= g.options.max_tokens || out_of_room {
            return Ok(g.finish(token, FinishReason::Length));
        }
        // Hold back a tail that could still become a stop text.
        let keep = g
            .options
            .stop
            .iter()
            .map(|s| longest_prefix_suffix(&g.held, s))
            .max()
            .unwrap_or(0);
        let cut = g.held.len() - keep;
        let text: String = g.held.drain(..cut).collect();
        Ok(Step {
            text,
            token: Some(token),
            finish: None,
        })
    }

    /// Feed tokens that continue the cached sequence (a generated token), or
    /// a fresh prompt (prefix reuse).
    fn feed_continuing(&mut self, tokens: &[u32]) -> Result<Vec<f32>, LocalError> {
        if tokens.len() == 1 && self.transformer.position == self.cached.len() {
            let logits = self.transformer.forward(tokens)?;
            self.cached.extend_from_slice(tokens);
            return Ok(logits);
        }
        self.feed(tokens)
    }

    /// Drop the cached conversation (frees nothing; the next prompt starts cold).
    pub fn reset(&mut self) {
        self.generation = None;
        self.cached.clear();
        self.transformer.reset();
    }
}

/// The length of the longest suffix of `text` that is a proper prefix of
/// `stop`, on a character boundary.
fn longest_prefix_suffix(text: &str, stop: &str) -> usize {
    let max = stop.len().saturating_sub(1).min(text.len());
    (1..=max)
        .rev()
        .find(|&n| {
            let start = text.len() - n;
            text.is_char_boundary(start) && stop.starts_with(text.get(start..).unwrap_or_default())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_suffix() {
        assert_eq!(longest_prefix_suffix("hello wor", "world"), 3);
        assert_eq!(longest_prefix_suffix("hello", "world"), 0);
        assert_eq!(longest_prefix_suffix("a\nUs", "\nUser:"), 3);
        assert_eq!(longest_prefix_suffix("é", "éa"), 2);
    }

    #[test]
    fn options_validate_and_name_fields() {
        assert!(GenerateOptions::default().validate().is_ok());
        let bad = GenerateOptions {
            top_p: 0.0,
            ..Default::default()
        };
        assert_eq!(
            bad.validate()
                .err()
                .and_then(|e| e.field().map(str::to_owned)),
            Some("topP".into())
        );
        let field = |json: &str| {
            GenerateOptions::parse(json)
                .err()
                .and_then(|e| e.field().map(str::to_owned))
        };
        assert_eq!(
            field(r#"{"maxTokens": 3, "bogus": 1}"#),
            Some("bogus".into())
        );
        assert_eq!(field(r#"{"maxTokens": -1}"#), Some("maxTokens".into()));
        assert_eq!(field(r#"{"maxTokens": 0}"#), Some("maxTokens".into()));
        assert_eq!(field(r#"{"topK": 1.5}"#), Some("topK".into()));
        assert_eq!(field(r#"{"stop": ["a", 3]}"#), Some("stop[1]".into()));
        assert_eq!(
            field(r#"{"temperature": "hot"}"#),
            Some("temperature".into())
        );
        let parsed = GenerateOptions::parse(r#"{"maxTokens": 3, "temperature": 0}"#)
            .map(|o| (o.max_tokens, o.temperature, o.seed))
            .ok();
        assert_eq!(parsed, Some((3, 0.0, None)));
    }
}
