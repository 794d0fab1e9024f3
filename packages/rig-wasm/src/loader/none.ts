/**
 * Browsers, Web Workers and edge runtimes: nothing happens on import; the
 * application calls `await init()` (see `rig-wasm`'s `init`).
 */
export {};
