/**
 * The data types of a conversation: messages, documents, tool definitions
 * and low-level completion requests and responses.
 */
import type { CompletionRequestInput, DocumentInput, MessageInput, ResponseMessage, ToolDefinitionInput } from "./contract.js";

export type {
  AssistantContent,
  ReasoningContent,
  TextContent,
  ToolCallContent,
  ToolResultContent,
  UserContent,
} from "./contract.js";

/**
 * One message of a conversation: `{role, content}` with `content` a string or
 * an array of parts, a bare string (its role alternates with the message
 * before it, starting with the user: `["Hi", "Hello!"]`), or a message
 * rig-wasm returned (`AgentResponse.messages`), which goes back as it came.
 */
export type Message = MessageInput | ResponseMessage | LooseMessage;

/**
 * A message written as an object literal whose types TypeScript widened
 * (`role: string`, parts with `type: string`). Accepted as it is; the role
 * and the parts are checked when the call runs (an `InvalidArgumentError`
 * naming the message, e.g. `history[0].role`).
 */
export interface LooseMessage {
  role: string;
  content: string | Array<{ type: string; [key: string]: unknown }>;
}

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

export type { DocumentData } from "./contract.js";

/** JSON Schema for a tool's arguments. */
export type JsonSchema = Record<string, unknown>;

/** What the model is told about a tool. */
export type ToolDefinition = ToolDefinitionInput;

/** A single low-level completion call: no agent loop, no tool execution. */
export interface CompletionRequest extends Omit<CompletionRequestInput, "messages" | "documents"> {
  /** The conversation; the last message is the prompt. */
  messages: Message[];
  documents?: Array<Document | DocumentInput>;
}

export type { AgentResponse, CompletionResponse, ContentPart, ResponseMessage, Usage } from "./contract.js";
