/** `rig-wasm/vector-store`: the in-memory store and the store contract. */
import "#loader";
export {
  InMemoryVectorStore,
  type InMemoryVectorStoreOptions,
  type SearchIdResult,
  type SearchResult,
  type TextEmbedder,
  type TextEntry,
  type VectorEntry,
  type VectorSearchRequest,
  type VectorStore,
  type SearchStore,
} from "./vector-store.js";
export { IndexedDBVectorStore } from "./stores/indexeddb.js";
