// Flow graph: one flow drawn as an SVG diagram (Graphviz's `dot` layout, left to
// right), for the content studio and `gateway content graph`.
//
// Each node of the flow is a box showing its id, its kind and its message (the
// text of its say/prompt/note templates, shortened to 80 characters with "…");
// the start node is marked "start" and drawn with a double border, handovers show
// their queue and priority, subflows the flow they enter, end and erase nodes are
// octagons. Each exit of a node is one edge, labelled with what takes it: a
// choice's label text, "next", "fallback", "timeout", a branch case's condition,
// "default", "return" (back from a subflow). An exit to a node the flow does not
// have ends at a dashed "missing" node (id "missing-<target>", class
// "flow-missing"), so a draft with a broken reference is still drawn; an exit
// that would cross more than four columns ends at a small "→ target" node beside
// its source (class "flow-link", no id of ours), which keeps large flows fast to
// lay out.
//
// In the SVG, the group of each node has id="node-<node id>" and the classes
// "node flow-node kind-<type>" (plus "flow-start" on the start node), so a page can
// find a node and make it clickable; each exit's group has the classes
// "edge flow-edge exit-<choice|next|fallback|timeout|case|default|return>". Nothing
// else in the document has an id that starts with "node-". Every text comes from
// content staff: it is escaped, and invalid UTF-8 or control characters are
// replaced, so any text gives well-formed XML. (Graphviz decodes a character
// entity such as "&amp;" typed into a text, so that one shows as "&".)
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "gateway/core/result.h"
#include "gateway/engine/flow.h"

namespace gw {

// The most nodes a flow may have to be drawn; a larger one is refused before
// any layout work.
inline constexpr size_t kFlowGraphMaxNodes = 500;

// Where the words of the diagram come from.
struct FlowGraphText {
  // The text to show for template key `template_key` in the chosen language (the
  // caller renders it: source text, translation…). Returning "" shows the key
  // itself. Unset: every template shows its key.
  std::function<std::string(const std::string& template_key)> text;
};

// The SVG document (UTF-8, starting with "<?xml") of `flow`.
// Errors: kInvalidArgument when the flow has more than kFlowGraphMaxNodes nodes,
// no node at all, or a node id that is not a plain name (letters, digits, _ or -,
// as the flow parser accepts them); kInternal when Graphviz fails (its messages
// are in the error, never on stderr).
// Thread-safe, but Graphviz keeps global state, so calls are serialised on one
// process-wide lock: one call at a time lays out at most 500 nodes (well under
// 0.1 s for flows of the shipped size; about 1 s for 500 nodes with 800 exits).
// `text.text` is called before that lock is taken, never under it.
Result<std::string> flow_graph_svg(const Flow& flow, const FlowGraphText& text);

}  // namespace gw
