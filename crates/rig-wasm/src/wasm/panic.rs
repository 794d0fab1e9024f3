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
/// the function stays for code that installs it explicitly.
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

/// Test hook: panic now (a bug stand-in). Lets the test suites prove that a
/// panic becomes a `RigError` with code `internal` and that the instance
/// recovers. Only in builds with the `test-hooks` feature.
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = __rigTestPanic)]
#[allow(clippy::panic)]
pub fn test_panic() {
    panic!("deliberate test panic");
}

/// Test hook: a Promise whose future panics after one tick, as a bug in an
/// async path would (the panic happens inside a wasm-bindgen-futures task).
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = __rigTestPanicAsync)]
#[allow(clippy::panic)]
pub fn test_panic_async() -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async {
        let tick = js_sys::Promise::resolve(&JsValue::UNDEFINED);
        let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
        panic!("deliberate async test panic");
    })
}
