//! Errors of the local runtime.

/// What can go wrong loading or running a local model.
#[derive(Debug, Clone, PartialEq)]
pub enum LocalError {
    /// The file is not a model this runtime reads, or is damaged.
    Model(String),
    /// An argument is out of range; names the field.
    Invalid { field: String, message: String },
    /// A tensor operation failed (a bug, or memory exhausted).
    Compute(String),
}

impl LocalError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A stable code for JavaScript.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Model(_) => "invalid_argument",
            Self::Invalid { .. } => "invalid_argument",
            Self::Compute(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::Model(_) => Some("model"),
            Self::Compute(_) => None,
        }
    }
}

impl std::fmt::Display for LocalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Model(message) => write!(f, "model: {message}"),
            Self::Invalid { field, message } => write!(f, "{field}: {message}"),
            Self::Compute(message) => write!(f, "the local model failed: {message}"),
        }
    }
}

impl std::error::Error for LocalError {}

impl From<candle_core::Error> for LocalError {
    fn from(error: candle_core::Error) -> Self {
        Self::Compute(error.to_string())
    }
}
