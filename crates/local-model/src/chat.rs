//! Chat templates per model family, written out (no template engine):
//!
//! - ChatML (SmolLM2; the template its GGUF carries): `<|im_start|>role\n
//!   content<|im_end|>\n`, a default system message when the conversation
//!   has none, and `<|im_start|>assistant\n` to prompt the answer.
//! - Gemma instruction-tuned: `<start_of_turn>user\n…<end_of_turn>\n`, the
//!   system text folded into the first user turn, `<start_of_turn>model\n`.
//! - Plain (a base model, such as Gemma 3 270M): one user message is the
//!   text to continue, as is; a conversation becomes a transcript
//!   (`User: …` / `Assistant: …`, ending `Assistant:`) that callers stop
//!   at the next `\nUser:` (`Template::stop`).

use serde::Deserialize;

use crate::error::LocalError;

/// One message: role and text.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    ChatMl,
    Gemma,
    Plain,
}

impl Template {
    /// The template for a model: from its GGUF chat template, else its family.
    pub fn detect(gguf_template: Option<&str>, architecture: &str, has_turn_tokens: bool) -> Self {
        match gguf_template {
            Some(t) if t.contains("<|im_start|>") => Self::ChatMl,
            Some(t) if t.contains("<start_of_turn>") => Self::Gemma,
            Some(_) => Self::ChatMl,
            None if architecture.starts_with("gemma") && has_turn_tokens => Self::Plain,
            None => Self::Plain,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::ChatMl => "chatml",
            Self::Gemma => "gemma",
            Self::Plain => "plain",
        }
    }

    /// Parse a template name given by the user.
    pub fn from_name(name: &str) -> Result<Self, LocalError> {
        match name {
            "chatml" => Ok(Self::ChatMl),
            "gemma" => Ok(Self::Gemma),
            "plain" => Ok(Self::Plain),
            other => Err(LocalError::invalid(
                "template",
                format!("\"{other}\" is not a chat template (chatml, gemma, plain)"),
            )),
        }
    }

    /// Texts that end an answer in this format (besides end-of-turn tokens).
    pub fn stop(self) -> &'static [&'static str] {
        match self {
            Self::Plain => &["\nUser:"],
            Self::ChatMl | Self::Gemma => &[],
        }
    }

    /// The prompt text for `messages`, ending where the model should answer.
    pub fn render(self, messages: &[ChatMessage]) -> Result<String, LocalError> {
        if messages.is_empty() {
            return Err(LocalError::invalid("messages", "must not be empty"));
        }
        for (i, m) in messages.iter().enumerate() {
            if !matches!(m.role.as_str(), "system" | "user" | "assistant" | "tool") {
                return Err(LocalError::invalid(
                    format!("messages[{i}].role"),
                    format!(
                        "\"{}\" is not a role (system, user, assistant, tool)",
                        m.role
                    ),
                ));
            }
        }
        let mut out = String::new();
        match self {
            Self::ChatMl => {
                if messages.first().map(|m| m.role.as_str()) != Some("system") {
                    out.push_str("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n");
                }
                for m in messages {
                    out.push_str("<|im_start|>");
                    out.push_str(&m.role);
                    out.push('\n');
                    out.push_str(&m.content);
                    out.push_str("<|im_end|>\n");
                }
                out.push_str("<|im_start|>assistant\n");
            }
            Self::Gemma => {
                let mut system = String::new();
                for m in messages {
                    match m.role.as_str() {
                        "system" => {
                            system.push_str(&m.content);
                            system.push_str("\n\n");
                        }
                        role => {
                            let turn = if role == "assistant" { "model" } else { "user" };
                            out.push_str("<start_of_turn>");
                            out.push_str(turn);
                            out.push('\n');
                            if turn == "user" && !system.is_empty() {
                                out.push_str(&std::mem::take(&mut system));
                            }
                            out.push_str(&m.content);
                            out.push_str("<end_of_turn>\n");
                        }
                    }
                }
                out.push_str("<start_of_turn>model\n");
            }
            Self::Plain => match messages {
                [only] if only.role == "user" => out.push_str(&only.content),
                _ => {
                    for m in messages {
                        match m.role.as_str() {
                            "system" => {
                                out.push_str(&m.content);
                                out.push_str("\n\n");
                            }
                            role => {
                                out.push_str(match role {
                                    "assistant" => "Assistant: ",
                                    "tool" => "Tool: ",
                                    _ => "User: ",
                                });
                                out.push_str(&m.content);
                                out.push('\n');
                            }
                        }
                    }
                    out.push_str("Assistant:");
                }
            },
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(role: &str, content: &str) -> ChatMessage {
        ChatMessage {
            role: role.into(),
            content: content.into(),
        }
    }

    #[test]
    fn chatml_adds_the_default_system_message() {
        let text = Template::ChatMl
            .render(&[m("user", "Hi")])
            .unwrap_or_default();
        assert_eq!(
            text,
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
        let own = Template::ChatMl
            .render(&[m("system", "Be brief."), m("user", "Hi")])
            .unwrap_or_default();
        assert!(own.starts_with("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi"));
    }

    #[test]
    fn gemma_folds_the_system_text_into_the_first_user_turn() {
        let text = Template::Gemma
            .render(&[
                m("system", "Be brief."),
                m("user", "Hi"),
                m("assistant", "Hello"),
                m("user", "Bye"),
            ])
            .unwrap_or_default();
        assert_eq!(
            text,
            "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n"
        );
    }

    #[test]
    fn plain_continues_one_text_and_transcribes_conversations() {
        assert_eq!(
            Template::Plain
                .render(&[m("user", "The capital of France is")])
                .unwrap_or_default(),
            "The capital of France is"
        );
        assert_eq!(
            Template::Plain
                .render(&[
                    m("system", "Be brief."),
                    m("user", "Hi"),
                    m("assistant", "Hello"),
                    m("user", "Bye")
                ])
                .unwrap_or_default(),
            "Be brief.\n\nUser: Hi\nAssistant: Hello\nUser: Bye\nAssistant:"
        );
        assert!(Template::Plain.render(&[]).is_err());
        assert!(Template::ChatMl.render(&[m("robot", "x")]).is_err());
    }
}
