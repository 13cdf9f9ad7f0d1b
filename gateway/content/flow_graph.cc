// Draws a flow in two steps: first a plain description of the boxes and arrows
// (every text cleaned, shortened and escaped), built without any Graphviz call;
// then, under the one lock Graphviz needs, a graph built from it,
// laid out by `dot` and rendered to SVG in memory.
//
// Plugins: the context is made with gvContextPlugins() from the two plugin
// libraries linked into the program (dot's layout, and the core renderers that
// write SVG), without demand loading. Graphviz then never reads its plugin
// configuration file (config6a, written by `dot -c` when libgvc6 is installed),
// so a missing or stale file cannot break the diagram, and it never loads the
// pango/cairo plugins (fonts, fontconfig): text widths are Graphviz's own
// estimate, the same on every machine.
//
// Labels are plain labels, not HTML-like ones: Graphviz 2.42 (Debian 12) leaks
// memory for every HTML-like label that has more than plain text in it (a line
// break, a font, a table), which a server drawing diagrams all day cannot have.
#include "gateway/content/flow_graph.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>
#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

extern "C" {
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;
}

namespace gw {

namespace {

constexpr int32_t kMessageChars = 80;  // a node's message, in characters (graphemes)
constexpr int32_t kEdgeLabelChars = 48;
constexpr int32_t kLineChars = 36;  // lines of a message are wrapped at about this width

bool is_plain_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

// Text for a plain Graphviz label. Graphviz reads \N, \n, \l… in a label as
// its own escapes, so every backslash is doubled; newlines and other
// control characters never get here (see clean()), and Graphviz escapes what
// XML needs (& < > ") when it writes the SVG.
std::string label_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    if (c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// `text` as one line of at most `max_chars` graphemes ("…" when cut), with
// invalid UTF-8 and noncharacters replaced (U+FFFD), control characters as
// spaces and runs of white space as one space.
icu::UnicodeString clean(const std::string& text, int32_t max_chars) {
  const icu::UnicodeString in = icu::UnicodeString::fromUTF8(text);
  icu::UnicodeString s;
  bool space = true;  // drops leading white space
  for (int32_t i = 0; i < in.length(); i = in.moveIndex32(i, 1)) {
    const UChar32 c = in.char32At(i);
    // Control characters (Cc) are not allowed in XML; format characters (Cf:
    // the zero-width non-joiner of Persian, direction marks) are kept.
    if (u_isUWhiteSpace(c) || u_charType(c) == U_CONTROL_CHAR) {
      if (!space) s.append(static_cast<UChar>(u' '));
      space = true;
    } else if (U_IS_UNICODE_NONCHAR(c)) {  // U+FFFE, U+FFFF…: not allowed in XML either
      s.append(static_cast<UChar>(u'\uFFFD'));
      space = false;
    } else {
      s.append(c);
      space = false;
    }
  }
  if (space && s.length() > 0) s.truncate(s.length() - 1);

  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> chars(
      icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status)) return s;
  chars->setText(s);
  int32_t count = 0, cut = 0;
  for (int32_t b = chars->next(); b != icu::BreakIterator::DONE; b = chars->next()) {
    if (++count == max_chars) cut = b;
    if (count > max_chars) {
      // Room for the ellipsis: keep max_chars - 1 graphemes.
      chars->preceding(cut);
      s.truncate(chars->current());
      s.append(static_cast<UChar>(u'\u2026'));
      break;
    }
  }
  return s;
}

// clean(text) escaped for a label, wrapped at line-break opportunities into
// lines of about kLineChars ("\n" between them).
std::string label_lines(const std::string& text, int32_t max_chars) {
  const icu::UnicodeString s = clean(text, max_chars);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> lines(
      icu::BreakIterator::createLineInstance(icu::Locale::getRoot(), status));
  std::string out;
  if (U_FAILURE(status)) {
    s.toUTF8String(out);
    return label_escape(out);
  }
  lines->setText(s);
  int32_t line_start = 0, last = 0;
  auto flush = [&](int32_t end) {
    std::string part;
    icu::UnicodeString line(s, line_start, end - line_start);
    line.trim().toUTF8String(part);
    if (!out.empty()) out += "\n";
    out += label_escape(part);
    line_start = end;
  };
  for (int32_t b = lines->next(); b != icu::BreakIterator::DONE; b = lines->next()) {
    if (b - line_start > kLineChars && last > line_start) flush(last);
    last = b;
  }
  if (line_start < s.length()) flush(s.length());
  return out;
}

std::string plain(const std::string& text, int32_t max_chars) {
  std::string out;
  clean(text, max_chars).toUTF8String(out);
  return label_escape(out);
}

struct GraphNode {
  std::string name;  // the Graphviz node name
  std::string id;    // SVG id; empty: Graphviz's own
  std::string css_class;
  std::string shape = "box";
  std::string style = "rounded,filled";
  std::string fill;
  std::string peripheries = "1";
  std::string label;  // escaped (label_escape)
};

struct GraphEdge {
  std::string from, to;
  std::string label;  // escaped (label_escape)
  std::string css_class;
  std::string style = "solid";
  bool back = false;  // closes a cycle (mark_back_edges)
};

struct Drawing {
  std::vector<GraphNode> nodes;
  std::vector<GraphEdge> edges;
};

const char* fill_of(NodeKind kind) {
  switch (kind) {
    case NodeKind::kSay:
      return "#e8f1fb";
    case NodeKind::kAsk:
    case NodeKind::kCapture:
      return "#fff4d6";
    case NodeKind::kBranch:
    case NodeKind::kScore:
    case NodeKind::kSet:
      return "#eeeeee";
    case NodeKind::kSubflow:
      return "#e6f4ea";
    case NodeKind::kHandover:
      return "#fde2d8";
    case NodeKind::kWait:
      return "#f0e8fb";
    case NodeKind::kEnd:
    case NodeKind::kErase:
      return "#d9d9d9";
  }
  return "#ffffff";
}

std::string json_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) out += (out.empty() ? "" : ", ") + json_text(item);
    return out;
  }
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "result.topic = rights", "score ≥ 3", "country in GB, IE", "field.name exists".
std::string condition_text(const Condition& c) {
  switch (c.op) {
    case Condition::Op::kEquals:
      return c.subject + " = " + json_text(c.value);
    case Condition::Op::kIn:
      return c.subject + " in " + json_text(c.value);
    case Condition::Op::kAtLeast:
      return c.subject + " ≥ " + json_text(c.value);
    case Condition::Op::kAtMost:
      return c.subject + " ≤ " + json_text(c.value);
    case Condition::Op::kExists:
      return c.subject + (c.value.is_boolean() && !c.value.get<bool>() ? " is not set" : " exists");
  }
  return c.subject;
}

class DrawingBuilder {
 public:
  DrawingBuilder(const Flow& flow, const FlowGraphText& text) : flow_(flow), text_(text) {}

  Drawing build() {
    for (const std::string& id : flow_.order) {
      if (const Node* n = flow_.find(id)) add_node(*n);
    }
    // Nodes missing from `order` (a flow built in code) still get drawn.
    for (const auto& [id, n] : flow_.nodes) {
      if (std::find(flow_.order.begin(), flow_.order.end(), id) == flow_.order.end()) add_node(n);
    }
    mark_back_edges();
    link_long_edges();
    return std::move(drawing_);
  }

 private:
  std::string template_text(const std::string& key) const {
    std::string t = text_.text ? text_.text(key) : std::string();
    return t.empty() ? key : t;
  }

  void edge(const Node& from, const std::string& to, const std::string& label, const std::string& kind,
            bool dashed = false) {
    if (to.empty()) return;
    GraphEdge e;
    e.from = from.id;
    e.to = to;
    if (!flow_.nodes.count(to)) e.to = missing(to);
    e.label = plain(label, kEdgeLabelChars);
    e.css_class = "flow-edge exit-" + kind;
    if (dashed) e.style = "dashed";
    drawing_.edges.push_back(std::move(e));
  }

  // A stand-in for an exit to a node the flow does not have.
  std::string missing(const std::string& to) {
    const std::string name = "missing:" + to;  // ':' is never in a node id
    for (const GraphNode& n : drawing_.nodes) {
      if (n.name == name) return name;
    }
    GraphNode m;
    m.name = name;
    if (is_plain_name(to)) m.id = "missing-" + to;
    m.css_class = "flow-missing";
    m.style = "dashed";
    m.fill = "#ffffff";
    m.label = plain(to, kEdgeLabelChars) + "\nmissing";
    drawing_.nodes.push_back(std::move(m));
    return name;
  }

  void add_node(const Node& n) {
    const bool start = n.id == flow_.start;
    GraphNode g;
    g.name = n.id;
    g.id = "node-" + n.id;
    g.css_class = std::string("flow-node kind-") + node_kind_name(n.kind) + (start ? " flow-start" : "");
    g.fill = fill_of(n.kind);
    if (start) g.peripheries = "2";

    std::string message, detail;
    auto say_texts = [&] {
      for (const std::string& key : n.say) {
        if (!message.empty()) message += ' ';
        message += template_text(key);
      }
    };
    switch (n.kind) {
      case NodeKind::kSay:
        say_texts();
        edge(n, n.next, "next", "next");
        break;
      case NodeKind::kAsk:
        message = template_text(n.prompt);
        for (const Choice& c : n.choices) edge(n, c.next, template_text(c.label), "choice");
        edge(n, n.fallback, "fallback", "fallback", true);
        break;
      case NodeKind::kCapture:
        message = template_text(n.prompt);
        edge(n, n.next, "next", "next");
        break;
      case NodeKind::kBranch:
        g.shape = "hexagon";
        g.style = "filled";
        for (const Case& c : n.cases) edge(n, c.next, condition_text(c.when), "case");
        edge(n, n.default_next, "default", "default");
        break;
      case NodeKind::kScore:
        detail = n.score + (n.add >= 0 ? " +" : " ") + std::to_string(n.add);
        edge(n, n.next, "next", "next");
        break;
      case NodeKind::kSet:
        if (!n.language.empty()) detail = "language = " + n.language;
        if (!n.field.empty()) detail += (detail.empty() ? "" : ", ") + n.field + " = " + n.value;
        edge(n, n.next, "next", "next");
        break;
      case NodeKind::kSubflow:
        detail = "enters flow " + n.flow;
        edge(n, n.next, "return", "return");
        break;
      case NodeKind::kHandover:
        g.style = "filled,bold";
        detail = std::string("queue ") + n.queue + ", priority " + priority_name(n.priority);
        if (!n.note.empty()) message = template_text(n.note);
        break;
      case NodeKind::kWait:
        detail = "waits " + std::to_string(n.seconds) + " s";
        edge(n, n.next, "next", "next");
        edge(n, n.timeout_next, "timeout", "timeout", true);
        break;
      case NodeKind::kEnd:
      case NodeKind::kErase:
        g.shape = "octagon";
        g.style = "filled";
        say_texts();
        break;
    }
    // "menu · ask · start", then the detail and the message.
    g.label = n.id + " \u00b7 " + node_kind_name(n.kind) + (start ? " \u00b7 start" : "");
    if (!detail.empty()) g.label += "\n" + plain(detail, kMessageChars);
    if (!message.empty()) g.label += "\n" + label_lines(message, kMessageChars);
    // What the statistics count when a person reaches it (the flow's stat tag).
    if (!n.stat.empty()) g.label += "\n" + plain("counts " + n.stat, kMessageChars);
    drawing_.nodes.push_back(std::move(g));
  }

  // Marks the edges that close a cycle (a depth-first search from the start
  // node, then from every node not reached, finds each as an edge to a node
  // still on the search's path). They are handed to dot pointing forwards and
  // drawn backwards: dot then has no cycle to break itself, which in Graphviz
  // 2.42 leaks the edges it makes for that.
  void mark_back_edges() {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < drawing_.nodes.size(); ++i) index[drawing_.nodes[i].name] = i;
    std::vector<std::vector<size_t>> out(drawing_.nodes.size());  // node → its edges
    for (size_t e = 0; e < drawing_.edges.size(); ++e) out[index[drawing_.edges[e].from]].push_back(e);
    enum : char { kNew, kOnPath, kDone };
    std::vector<char> state(drawing_.nodes.size(), kNew);
    std::vector<size_t> roots;
    if (auto s = index.find(flow_.start); s != index.end()) roots.push_back(s->second);
    for (size_t i = 0; i < drawing_.nodes.size(); ++i) roots.push_back(i);
    for (size_t root : roots) {
      if (state[root] != kNew) continue;
      // (node, how many of its edges are done)
      std::vector<std::pair<size_t, size_t>> path = {{root, 0}};
      state[root] = kOnPath;
      while (!path.empty()) {
        auto& [node, next] = path.back();
        if (next == out[node].size()) {
          state[node] = kDone;
          path.pop_back();
          continue;
        }
        GraphEdge& e = drawing_.edges[out[node][next++]];
        const size_t to = index[e.to];
        if (state[to] == kOnPath) {
          e.back = e.to != e.from;  // a loop on one node is no cycle for dot to break
        } else if (state[to] == kNew) {
          state[to] = kOnPath;
          path.push_back({to, 0});
        }
      }
    }
  }

  // An exit that would cross more than kMaxSpan columns ends instead at a small
  // link node beside its source naming the target ("→ stuck"). dot lays a long
  // edge out as a chain of hidden nodes, one per column, and the time it takes
  // grows much faster than their number: a few such edges in a large flow (every
  // question falling back to one handover) took minutes. Columns are counted
  // as the longest path to each node, after the cycles are broken.
  void link_long_edges() {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < drawing_.nodes.size(); ++i) index[drawing_.nodes[i].name] = i;
    const size_t count = drawing_.nodes.size();
    std::vector<std::vector<size_t>> after(count);
    std::vector<size_t> before(count, 0), column(count, 0);
    for (const GraphEdge& e : drawing_.edges) {
      if (e.from == e.to) continue;
      const size_t a = index[e.back ? e.to : e.from], b = index[e.back ? e.from : e.to];
      after[a].push_back(b);
      ++before[b];
    }
    std::vector<size_t> ready;
    for (size_t i = 0; i < count; ++i) {
      if (before[i] == 0) ready.push_back(i);
    }
    while (!ready.empty()) {
      const size_t a = ready.back();
      ready.pop_back();
      for (size_t b : after[a]) {
        column[b] = std::max(column[b], column[a] + 1);
        if (--before[b] == 0) ready.push_back(b);
      }
    }
    const size_t edges = drawing_.edges.size();
    for (size_t i = 0; i < edges; ++i) {
      GraphEdge& e = drawing_.edges[i];
      const size_t from = column[index[e.from]], to = column[index[e.to]];
      const size_t span = from > to ? from - to : to - from;
      if (span <= kMaxSpan) continue;
      GraphNode link;
      link.name = "link:" + std::to_string(i);
      link.css_class = "flow-link";
      link.shape = "cds";
      link.style = "filled";
      link.fill = "#ffffff";
      const std::string target = drawing_.nodes[index[e.to]].name;
      link.label =
          "\u2192 " + plain(target.rfind("missing:", 0) == 0 ? target.substr(8) : target, kEdgeLabelChars);
      e.to = link.name;
      e.back = false;
      drawing_.nodes.push_back(std::move(link));
    }
  }

  static constexpr size_t kMaxSpan = 4;

  const Flow& flow_;
  const FlowGraphText& text_;
  Drawing drawing_;
};

// Graphviz writes '-' as "&#45;" everywhere (so that no "--" ends a comment);
// in id and class values it is written plainly again, so that the document says
// id="node-ask" as the header promises. Only those two attributes are touched.
std::string plain_attributes(std::string svg) {
  for (const char* attribute : {" id=\"", " class=\""}) {
    const std::string open = attribute;
    for (size_t at = svg.find(open); at != std::string::npos; at = svg.find(open, at)) {
      at += open.size();
      const size_t end = svg.find('"', at);
      if (end == std::string::npos) break;
      std::string value = svg.substr(at, end - at);
      std::string plain;
      for (size_t i = 0; i < value.size();) {
        if (value.compare(i, 5, "&#45;") == 0) {
          plain += '-';
          i += 5;
        } else {
          plain += value[i++];
        }
      }
      value = std::move(plain);
      svg.replace(at, end - at, value);
      at += value.size();
    }
  }
  return svg;
}

// Graphviz reports problems through one global handler; while the lock is held
// they are collected here rather than printed on stderr.
std::mutex graphviz_mutex;
std::string* graphviz_messages = nullptr;  // guarded by graphviz_mutex

int collect_graphviz_message(char* message) {
  if (graphviz_messages && message && graphviz_messages->size() < 4096) *graphviz_messages += message;
  return 0;
}

const lt_symlist_t kBuiltinPlugins[] = {
    {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
    {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
    {nullptr, nullptr},
};

// Owners of the Graphviz objects, freed in the reverse order of creation.
struct ContextFree {
  void operator()(GVC_t* gvc) const { gvFreeContext(gvc); }
};
struct GraphClose {
  void operator()(Agraph_t* g) const { agclose(g); }
};

// Graphviz takes char* for strings it only reads.
char* cs(const std::string& s) {
  return const_cast<char*>(s.c_str());
}
char* cs(const char* s) {
  return const_cast<char*>(s);
}

// Lays out and renders `d`. REQUIRES: graphviz_mutex held.
Result<std::string> render_locked(const std::string& name, const Drawing& d) {
  std::unique_ptr<GVC_t, ContextFree> gvc(gvContextPlugins(kBuiltinPlugins, 0));
  if (!gvc) return Error::internal("graphviz: no context");
  std::unique_ptr<Agraph_t, GraphClose> g(agopen(cs(name), Agdirected, nullptr));
  if (!g) return Error::internal("graphviz: cannot open a graph");
  Agraph_t* graph = g.get();

  agattr(graph, AGRAPH, cs("rankdir"), cs("LR"));
  agattr(graph, AGRAPH, cs("nodesep"), cs("0.25"));
  agattr(graph, AGRAPH, cs("ranksep"), cs("0.5"));
  agattr(graph, AGRAPH, cs("fontname"), cs("Helvetica,Arial,sans-serif"));
  Agsym_t* n_id = agattr(graph, AGNODE, cs("id"), cs(""));
  Agsym_t* n_class = agattr(graph, AGNODE, cs("class"), cs(""));
  Agsym_t* n_shape = agattr(graph, AGNODE, cs("shape"), cs("box"));
  Agsym_t* n_style = agattr(graph, AGNODE, cs("style"), cs("rounded,filled"));
  Agsym_t* n_fill = agattr(graph, AGNODE, cs("fillcolor"), cs("#ffffff"));
  Agsym_t* n_peri = agattr(graph, AGNODE, cs("peripheries"), cs("1"));
  Agsym_t* n_label = agattr(graph, AGNODE, cs("label"), cs(""));
  agattr(graph, AGNODE, cs("fontname"), cs("Helvetica,Arial,sans-serif"));
  agattr(graph, AGNODE, cs("fontsize"), cs("12"));
  agattr(graph, AGNODE, cs("margin"), cs("0.12,0.06"));
  Agsym_t* e_label = agattr(graph, AGEDGE, cs("label"), cs(""));
  Agsym_t* e_class = agattr(graph, AGEDGE, cs("class"), cs(""));
  Agsym_t* e_style = agattr(graph, AGEDGE, cs("style"), cs("solid"));
  Agsym_t* e_dir = agattr(graph, AGEDGE, cs("dir"), cs("forward"));
  agattr(graph, AGEDGE, cs("fontname"), cs("Helvetica,Arial,sans-serif"));
  agattr(graph, AGEDGE, cs("fontsize"), cs("10"));

  for (const GraphNode& gn : d.nodes) {
    Agnode_t* n = agnode(graph, cs(gn.name), 1);
    if (!gn.id.empty()) agxset(n, n_id, cs(gn.id));
    agxset(n, n_class, cs(gn.css_class));
    agxset(n, n_shape, cs(gn.shape));
    agxset(n, n_style, cs(gn.style));
    agxset(n, n_fill, cs(gn.fill));
    agxset(n, n_peri, cs(gn.peripheries));
    agxset(n, n_label, cs(gn.label));
  }
  for (const GraphEdge& ge : d.edges) {
    Agnode_t* from = agnode(graph, cs(ge.from), 0);
    Agnode_t* to = agnode(graph, cs(ge.to), 0);
    if (!from || !to) return Error::internal("flow graph: an edge between unknown nodes");
    // Anonymous edges, so that parallel ones stay apart.
    Agedge_t* e = ge.back ? agedge(graph, to, from, nullptr, 1) : agedge(graph, from, to, nullptr, 1);
    if (ge.back) agxset(e, e_dir, cs("back"));
    agxset(e, e_label, cs(ge.label));
    agxset(e, e_class, cs(ge.css_class));
    agxset(e, e_style, cs(ge.style));
  }

  if (gvLayout(gvc.get(), graph, "dot") != 0) return Error::internal("graphviz: dot layout failed");
  char* data = nullptr;
  unsigned int length = 0;
  const int rendered = gvRenderData(gvc.get(), graph, "svg", &data, &length);
  std::string svg;
  if (rendered == 0 && data) svg.assign(data, length);
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc.get(), graph);
  if (rendered != 0 || svg.empty()) return Error::internal("graphviz: SVG rendering failed");
  return plain_attributes(std::move(svg));
}

}  // namespace

Result<std::string> flow_graph_svg(const Flow& flow, const FlowGraphText& text) {
  if (flow.nodes.size() > kFlowGraphMaxNodes) {
    return Error::invalid("flow " + flow.id + " has " + std::to_string(flow.nodes.size()) +
                          " nodes; at most " + std::to_string(kFlowGraphMaxNodes) + " can be drawn");
  }
  if (flow.nodes.empty()) return Error::invalid("flow " + flow.id + " has no node to draw");
  for (const auto& [id, node] : flow.nodes) {
    if (!is_plain_name(id) || node.id != id)
      return Error::invalid("flow " + flow.id + ": a node id is not a plain name (letters, digits, _ or -)");
  }
  const Drawing drawing = DrawingBuilder(flow, text).build();

  std::lock_guard<std::mutex> lock(graphviz_mutex);
  std::string messages;
  graphviz_messages = &messages;
  agseterr(AGWARN);
  agseterrf(collect_graphviz_message);
  Result<std::string> svg = render_locked(flow.id, drawing);
  graphviz_messages = nullptr;
  if (!svg) {
    std::string m = svg.error().message;
    if (!messages.empty()) {
      std::string said;
      clean(messages, 400).toUTF8String(said);
      m += ": " + said;
    }
    return Error::internal(m);
  }
  return svg;
}

}  // namespace gw
