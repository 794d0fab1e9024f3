//! Panic reporting. A panic aborts the wasm instance (the release profile is
//! `panic = "abort"`), so the hook records the message before the trap; the
//! TypeScript layer reads it with `takePanicMessage`, reports the call as a
//! `RigError` with code `internal`, and starts a fresh instance.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn hook(info: &std::panic::PanicHookInfo<'_>) {
    let message = info.to_string();
    LAST_PANIC.with(|last| *last.borrow_mut() = Some(message.clone()));
    console_error(&format!(
        "rig-wasm panicked (this is a bug, please report it): {message}"
    ));
}

/// Install the panic hook (idempotent). The module installs it at start;
/// the function stays for code written against the design's API.
#[wasm_bindgen(js_name = initPanicHook)]
pub fn init_panic_hook() {
    std::panic::set_hook(Box::new(hook));
}

/// The message of the last panic, once.
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> Option<String> {
    LAST_PANIC.with(|last| last.borrow_mut().take())
}

#[wasm_bindgen(start)]
fn start() {
    init_panic_hook();
}
