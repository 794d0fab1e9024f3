/**
 * The data types of a conversation: messages, documents, tool definitions
 * and low-level completion requests and responses.
 */
import type { ResponseMessage } from "./contract.js";

/** A text part of a message. */
export interface TextContent {
  type: "text";
  text: string;
  /** The provider's own item for this block, as rig-wasm returned it. */
  native?: unknown;
}

/** A tool call the assistant made. */
export interface ToolCallContent {
  type: "toolCall";
  id: string;
  name: string;
  /** The arguments object (or its JSON text). */
  arguments: Record<string, unknown> | string;
  /** The provider's own item for this call, as rig-wasm returned it. */
  native?: unknown;
}

/** The result of a tool call, sent back on a user turn. */
export interface ToolResultContent {
  type: "toolResult";
  /** The id of the call this answers. */
  id: string;
  name?: string;
  content: string;
  isError?: boolean;
}

/** Reasoning the model showed; sent back as it came (with `native`) it keeps the provider's reasoning item. */
export interface ReasoningContent {
  type: "reasoning";
  text: string;
  redacted?: boolean;
  /** The provider's own item for this block, as rig-wasm returned it. */
  native?: unknown;
}

export type UserContent = TextContent | ToolResultContent;
export type AssistantContent = TextContent | ToolCallContent | ReasoningContent;

/**
 * One message of a conversation, in the design's shape
 * (`{role, content: [{type: "text", text}]}`) or with `content` as a string.
 * In a history array a bare string is a text message whose role alternates
 * with the one before it, starting with the user: `["Hi", "Hello!"]`.
 */
export type Message =
  | { role: "user"; content: string | UserContent[] }
  | { role: "assistant"; content: string | AssistantContent[] }
  | { role: "system"; content: string | TextContent[] }
  | ResponseMessage
  | string;

/** Helpers to build messages. */
export const Message = {
  user(text: string): Message {
    return { role: "user", content: [{ type: "text", text }] };
  },
  assistant(text: string): Message {
    return { role: "assistant", content: [{ type: "text", text }] };
  },
  system(text: string): Message {
    return { role: "system", content: [{ type: "text", text }] };
  },
} as const;

/** A document given to the model as context (static or retrieved). */
export class Document {
  readonly id: string;
  readonly text: string;
  /** Extra string properties, rendered before the text. */
  readonly additionalProps: Record<string, string>;

  constructor(id: string, text: string, additionalProps: Record<string, string> = {}) {
    this.id = id;
    this.text = text;
    this.additionalProps = additionalProps;
  }

  toJSON(): { id: string; text: string; additionalProps: Record<string, string> } {
    return { id: this.id, text: this.text, additionalProps: this.additionalProps };
  }
}

/** A document as plain data: what `Document` serialises to. */
export interface DocumentData {
  id?: string;
  text: string;
  additionalProps?: Record<string, string>;
}

/** JSON Schema for a tool's arguments. */
export type JsonSchema = Record<string, unknown>;

/** What the model is told about a tool. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: JsonSchema;
}

/** A single low-level completion call: no agent loop, no tool execution. */
export interface CompletionRequest {
  preamble?: string;
  /** The conversation; the last message is the prompt. */
  messages: Message[];
  documents?: Array<Document | DocumentData>;
  tools?: ToolDefinition[];
  temperature?: number;
  maxTokens?: number;
  additionalParams?: Record<string, unknown>;
}

export type { AgentResponse, CompletionResponse, ContentPart, ResponseMessage, Usage } from "./contract.js";
