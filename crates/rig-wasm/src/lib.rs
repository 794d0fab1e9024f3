//! rig-wasm's binding layer: Rig compiled to WebAssembly, adapted to JavaScript.
//!
//! The platform-independent modules (options, errors, conversions, the
//! provider table) hold every decision and are tested natively with
//! `cargo test`. The `wasm` module is the thin wasm-bindgen surface the
//! TypeScript package (`packages/rig-wasm`) wraps; it only exists on
//! `wasm32-unknown-unknown`.

// Binding code never unwraps, expects, panics or indexes (Cargo.toml denies
// it); tests may.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod contract;
pub mod convert;
pub mod error;
pub mod options;
pub mod parts;
pub mod providers;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod wasm;
