//! Rig's agent stream items as the stream parts JavaScript reads.
//!
//! Rig numbers the parts of each model call from 0 (`Part`), so an id is the
//! model call's index and the part's: `"<step>:<part>"`, unique within the
//! run. A model call ends with Rig's `CompletionCall` item, which becomes a
//! `stepFinish` part and moves the step on. Platform independent.

use std::collections::{HashMap, HashSet};

use rig_agent::agent::MultiTurnStreamItem;
use rig_agent::streaming::{Item, Part, PartKind, StreamEvent};
use rig_core::completion::message::AssistantContent;

use crate::contract::{FinishReason, StreamPart};
use crate::convert;

/// An open part of the current model call.
struct Open {
    id: String,
    tool_name: String,
}

/// Maps one run's stream items to parts, in order.
#[derive(Default)]
pub struct PartMapper {
    step: u32,
    /// Every open part: its id and (for tool calls) the tool's name.
    open: HashMap<Part, Open>,
    /// Calls already reported by a `toolCallEnd`.
    ended_calls: HashSet<String>,
}

impl PartMapper {
    fn id(&self, part: Part) -> String {
        format!("{}:{}", self.step, part.index())
    }

    /// Append the parts for `item` to `out`.
    pub fn push(&mut self, item: MultiTurnStreamItem, out: &mut Vec<StreamPart>) {
        match item {
            MultiTurnStreamItem::StreamAssistantItem(Item::Event(event)) => self.event(event, out),
            MultiTurnStreamItem::ToolCall { tool_call } => {
                // Every wire reports a call's start and end first; a call
                // that reaches history without them is reported whole.
                let call_id = tool_call.id.wire().into_owned();
                if self.ended_calls.insert(call_id.clone()) {
                    let id = format!("{}:call:{call_id}", self.step);
                    let tool_name = tool_call.function.name.to_string();
                    out.push(StreamPart::ToolCallStart {
                        id: id.clone(),
                        tool_name: tool_name.clone(),
                        text: (),
                    });
                    out.push(StreamPart::ToolCallEnd {
                        id,
                        tool_name,
                        call_id,
                        arguments: tool_call.function.arguments,
                        text: (),
                    });
                }
            }
            MultiTurnStreamItem::ToolResult { tool_result } => out.push(StreamPart::ToolResult {
                call_id: tool_result.call.wire().into_owned(),
                tool_name: tool_result.name.to_string(),
                result: convert::tool_result_text(&tool_result.content),
                is_error: tool_result.is_error,
                text: (),
            }),
            MultiTurnStreamItem::CompletionCall(call) => {
                out.push(StreamPart::StepFinish {
                    step: u32::try_from(call.call_index).unwrap_or(self.step),
                    usage: convert::usage(&call.usage),
                    finish_reason: call.finish_reason.map(finish_reason),
                    text: (),
                });
                self.next_step();
            }
            // The turn is attempted again: its parts get fresh ids.
            MultiTurnStreamItem::ModelTurnRetried { .. } => self.next_step(),
            MultiTurnStreamItem::FinalResponse(response) => {
                let response = convert::agent_response(&response);
                out.push(StreamPart::Finish {
                    output: response.text,
                    usage: response.usage,
                    messages: response.messages,
                    text: (),
                });
            }
            _ => {}
        }
    }

    fn next_step(&mut self) {
        self.step += 1;
        self.open.clear();
    }

    fn event(&mut self, event: StreamEvent, out: &mut Vec<StreamPart>) {
        match event {
            StreamEvent::Start { part, kind, name } => {
                let id = self.id(part);
                let tool_name = name.map(|n| n.to_string()).unwrap_or_default();
                match kind {
                    PartKind::Text => out.push(StreamPart::TextStart {
                        id: id.clone(),
                        text: (),
                    }),
                    PartKind::Reasoning => out.push(StreamPart::ReasoningStart {
                        id: id.clone(),
                        text: (),
                    }),
                    PartKind::ToolCall => out.push(StreamPart::ToolCallStart {
                        id: id.clone(),
                        tool_name: tool_name.clone(),
                        text: (),
                    }),
                    _ => return,
                }
                self.open.insert(part, Open { id, tool_name });
            }
            StreamEvent::Text { part, text } => {
                let id = self.open_id(part, PartKind::Text, out);
                out.push(StreamPart::TextDelta { id, text });
            }
            StreamEvent::Reasoning { part, text } => {
                let id = self.open_id(part, PartKind::Reasoning, out);
                out.push(StreamPart::ReasoningDelta {
                    id,
                    text: (),
                    delta: text,
                });
            }
            StreamEvent::Arguments { part, json } => {
                let id = self.open_id(part, PartKind::ToolCall, out);
                let tool_name = self
                    .open
                    .get(&part)
                    .map(|open| open.tool_name.clone())
                    .unwrap_or_default();
                out.push(StreamPart::ToolCallDelta {
                    id,
                    tool_name,
                    text: (),
                    delta: json,
                });
            }
            StreamEvent::End { part, content } => {
                let id = self.id(part);
                let opened = self.open.remove(&part);
                match content {
                    AssistantContent::Text(_) => {
                        if opened.is_none() {
                            out.push(StreamPart::TextStart {
                                id: id.clone(),
                                text: (),
                            });
                        }
                        out.push(StreamPart::TextEnd { id, text: () });
                    }
                    AssistantContent::Reasoning(_) => {
                        if opened.is_none() {
                            out.push(StreamPart::ReasoningStart {
                                id: id.clone(),
                                text: (),
                            });
                        }
                        out.push(StreamPart::ReasoningEnd { id, text: () });
                    }
                    AssistantContent::ToolCall(call) => {
                        let tool_name = call.function.name.to_string();
                        if opened.is_none() {
                            out.push(StreamPart::ToolCallStart {
                                id: id.clone(),
                                tool_name: tool_name.clone(),
                                text: (),
                            });
                        }
                        let call_id = call.id.wire().into_owned();
                        self.ended_calls.insert(call_id.clone());
                        out.push(StreamPart::ToolCallEnd {
                            id,
                            tool_name,
                            call_id,
                            arguments: call.function.arguments,
                            text: (),
                        });
                    }
                    _ => {}
                }
            }
        }
    }

    /// The id of `part` (made once, when it opens), opening it first if its
    /// start was not seen.
    fn open_id(&mut self, part: Part, kind: PartKind, out: &mut Vec<StreamPart>) -> String {
        if let Some(open) = self.open.get(&part) {
            return open.id.clone();
        }
        let id = self.id(part);
        self.open.insert(
            part,
            Open {
                id: id.clone(),
                tool_name: String::new(),
            },
        );
        {
            out.push(match kind {
                PartKind::Reasoning => StreamPart::ReasoningStart {
                    id: id.clone(),
                    text: (),
                },
                PartKind::ToolCall => StreamPart::ToolCallStart {
                    id: id.clone(),
                    tool_name: String::new(),
                    text: (),
                },
                _ => StreamPart::TextStart {
                    id: id.clone(),
                    text: (),
                },
            });
        }
        id
    }
}

fn finish_reason(reason: rig_core::completion::FinishReason) -> FinishReason {
    use rig_core::completion::FinishReason as R;
    match reason {
        R::Stop => FinishReason::Stop,
        R::Length => FinishReason::Length,
        R::ToolCalls => FinishReason::ToolCalls,
        R::ContentFilter => FinishReason::ContentFilter,
        _ => FinishReason::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rig_core::completion::message::ToolName;

    fn event(event: StreamEvent) -> MultiTurnStreamItem {
        MultiTurnStreamItem::StreamAssistantItem(Item::Event(event))
    }

    fn types(parts: &[StreamPart]) -> Vec<String> {
        parts
            .iter()
            .map(|p| {
                let value = serde_json::to_value(p).unwrap();
                format!(
                    "{} {}",
                    value["type"].as_str().unwrap(),
                    value["id"].as_str().unwrap_or("-")
                )
            })
            .collect()
    }

    #[test]
    fn text_and_parallel_calls_of_one_tool_get_their_own_ids() {
        let mut mapper = PartMapper::default();
        let mut out = Vec::new();
        let add = || ToolName::new("add").unwrap();
        for item in [
            event(StreamEvent::Start {
                part: Part::new(0),
                kind: PartKind::ToolCall,
                name: Some(add()),
            }),
            event(StreamEvent::Start {
                part: Part::new(1),
                kind: PartKind::ToolCall,
                name: Some(add()),
            }),
            event(StreamEvent::Arguments {
                part: Part::new(0),
                json: "{\"a\":1".into(),
            }),
            event(StreamEvent::Arguments {
                part: Part::new(1),
                json: "{\"a\":2".into(),
            }),
            event(StreamEvent::End {
                part: Part::new(0),
                content: AssistantContent::tool_call("c0", add(), serde_json::json!({"a": 1})),
            }),
            event(StreamEvent::End {
                part: Part::new(1),
                content: AssistantContent::tool_call("c1", add(), serde_json::json!({"a": 2})),
            }),
        ] {
            mapper.push(item, &mut out);
        }
        // The committed calls repeat nothing already ended.
        mapper.push(
            MultiTurnStreamItem::ToolCall {
                tool_call: rig_core::completion::message::ToolCall::from_wire(
                    "c0",
                    rig_core::completion::message::ToolFunction::new(
                        add(),
                        serde_json::json!({"a": 1}),
                    ),
                ),
            },
            &mut out,
        );
        assert_eq!(
            types(&out),
            [
                "toolCallStart 0:0",
                "toolCallStart 0:1",
                "toolCallDelta 0:0",
                "toolCallDelta 0:1",
                "toolCallEnd 0:0",
                "toolCallEnd 0:1"
            ]
        );
        let ends: Vec<_> = out
            .iter()
            .filter_map(|p| match p {
                StreamPart::ToolCallEnd { call_id, .. } => Some(call_id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ends, ["c0", "c1"]);
    }

    #[test]
    fn a_delta_without_a_start_opens_its_part() {
        let mut mapper = PartMapper::default();
        let mut out = Vec::new();
        mapper.push(
            event(StreamEvent::Text {
                part: Part::new(0),
                text: "Hi".into(),
            }),
            &mut out,
        );
        mapper.push(
            event(StreamEvent::End {
                part: Part::new(0),
                content: AssistantContent::text("Hi"),
            }),
            &mut out,
        );
        assert_eq!(
            types(&out),
            ["textStart 0:0", "textDelta 0:0", "textEnd 0:0"]
        );
    }
}
