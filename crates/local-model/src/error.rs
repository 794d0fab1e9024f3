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

    /// Its code: the same codes as every rig-wasm error.
    pub fn code(&self) -> rig_wasm_errors::ErrorCode {
        use rig_wasm_errors::ErrorCode;
        match self {
            Self::Model(_) | Self::Invalid { .. } => ErrorCode::InvalidArgument,
            Self::Compute(_) => ErrorCode::Internal,
        }
    }

    /// The error as JavaScript receives it, as rig-wasm's other module
    /// reports its own.
    pub fn to_bind_error(&self) -> rig_wasm_errors::BindError {
        let mut error =
            rig_wasm_errors::BindError::new(self.code(), self.to_string()).with_provider("local");
        error.field = self.field().map(str::to_owned);
        error
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
