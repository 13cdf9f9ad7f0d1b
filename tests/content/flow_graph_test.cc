// Flow diagrams: the SVG of the shipped menu and of flows built here, read back
// as XML — which groups exist, with which ids and classes, and what text they
// show once the entities are decoded.
#include "gateway/content/flow_graph.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "gateway/content/flow_files.h"
#include "gateway/content/template_catalog.h"

namespace {

const std::string kRoot = GATEWAY_SOURCE_DIR;

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// A small XML check: every '&' starts an entity, every '<' a tag, a comment or a
// declaration, and the elements nest. Enough to see that user text broke nothing.
bool well_formed(const std::string& xml, std::string* why) {
  std::vector<std::string> open;
  for (size_t i = 0; i < xml.size(); ++i) {
    if (xml[i] == '&') {
      const size_t semi = xml.find(';', i);
      if (semi == std::string::npos || semi - i > 10) return *why = "bare & at " + std::to_string(i), false;
      const std::string name = xml.substr(i + 1, semi - i - 1);
      if (name.empty() || name.find_first_of(" <&\"") != std::string::npos)
        return *why = "bad entity at " + std::to_string(i), false;
    } else if (xml[i] == '<') {
      if (xml.compare(i, 4, "<!--") == 0) {
        const size_t end = xml.find("-->", i + 4);
        if (end == std::string::npos || xml.substr(i + 4, end - i - 4).find("--") != std::string::npos)
          return *why = "bad comment at " + std::to_string(i), false;
        i = end + 2;
        continue;
      }
      const size_t end = xml.find('>', i);
      if (end == std::string::npos) return *why = "unclosed tag", false;
      const std::string tag = xml.substr(i + 1, end - i - 1);
      if (tag.find('<') != std::string::npos) return *why = "'<' inside tag at " + std::to_string(i), false;
      if (count(tag, "\"") % 2 != 0) return *why = "unbalanced quotes at " + std::to_string(i), false;
      if (tag[0] == '?' || tag[0] == '!' || tag.back() == '/') {
      } else if (tag[0] == '/') {
        if (open.empty() || open.back() != tag.substr(1))
          return *why = "mismatched </" + tag.substr(1), false;
        open.pop_back();
      } else {
        open.push_back(tag.substr(0, tag.find_first_of(" \n")));
      }
      i = end;
    } else if (xml[i] == '>') {
      return *why = "bare > at " + std::to_string(i), false;
    }
  }
  if (!open.empty()) return *why = "unclosed <" + open.back(), false;
  return true;
}

std::string decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const size_t semi = s[i] == '&' ? s.find(';', i) : std::string::npos;
    if (semi == std::string::npos) {
      out += s[i];
      continue;
    }
    const std::string name = s.substr(i + 1, semi - i - 1);
    if (name == "amp")
      out += '&';
    else if (name == "lt")
      out += '<';
    else if (name == "gt")
      out += '>';
    else if (name == "quot")
      out += '"';
    else if (name == "#39")
      out += '\'';
    else if (name == "#45")
      out += '-';
    else if (name == "#160")
      out += ' ';
    else
      out += "&" + name + ";";
    i = semi;
  }
  return out;
}

// The decoded texts of each group (<g id=… class=…>…</g>) whose class list has
// `css_class`, a group's lines joined with a space.
std::vector<std::string> texts_of(const std::string& svg, const std::string& css_class) {
  std::vector<std::string> out;
  for (size_t at = svg.find("<g id=\""); at != std::string::npos; at = svg.find("<g id=\"", at + 1)) {
    const size_t head_end = svg.find('>', at);
    const std::string head = svg.substr(at, head_end - at);
    const size_t cls = head.find("class=\"");
    if (cls == std::string::npos) continue;
    const std::string classes = " " + head.substr(cls + 7, head.find('"', cls + 7) - cls - 7) + " ";
    if (classes.find(" " + css_class + " ") == std::string::npos) continue;
    const std::string body = svg.substr(head_end, svg.find("</g>", head_end) - head_end);
    std::string text;
    for (size_t t = body.find("<text"); t != std::string::npos; t = body.find("<text", t + 1)) {
      const size_t from = body.find('>', t) + 1;
      if (!text.empty()) text += ' ';
      text += decode(body.substr(from, body.find("</text>", from) - from));
    }
    out.push_back(text);
  }
  return out;
}

// The decoded text of the group with id `id`.
std::string text_of_id(const std::string& svg, const std::string& id) {
  const size_t at = svg.find("<g id=\"" + id + "\"");
  if (at == std::string::npos) return "(no " + id + ")";
  const size_t end = svg.find("</g>", at);
  std::string text;
  for (size_t t = svg.find("<text", at); t < end; t = svg.find("<text", t + 1)) {
    const size_t from = svg.find('>', t) + 1;
    text += (text.empty() ? "" : " ") + decode(svg.substr(from, svg.find("</text>", from) - from));
  }
  return text;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const std::string& x : v) {
    if (x == s) return true;
  }
  return false;
}

gw::Node node(const std::string& id, gw::NodeKind kind) {
  gw::Node n;
  n.id = id;
  n.kind = kind;
  return n;
}

gw::Flow flow_of(const std::string& id, const std::vector<gw::Node>& nodes) {
  gw::Flow f;
  f.id = id;
  f.start = nodes.front().id;
  for (const gw::Node& n : nodes) {
    f.nodes[n.id] = n;
    f.order.push_back(n.id);
  }
  return f;
}

struct Shipped {
  gw::FlowSet flows;
  gw::TemplateCatalog templates;
  gw::FlowGraphText text() const {
    return {[this](const std::string& key) { return templates.text(key); }};
  }
};

const Shipped& shipped() {
  static const Shipped s = [] {
    auto flows = gw::load_flows(kRoot + "/flows");
    auto templates = gw::TemplateCatalog::load(kRoot + "/templates");
    REQUIRE(flows);
    REQUIRE(templates);
    return Shipped{std::move(*flows), std::move(*templates)};
  }();
  return s;
}

}  // namespace

TEST_CASE("the menu's diagram is SVG with one node-ID group per node, the start marked", "[flow_graph]") {
  const gw::Flow* menu = shipped().flows.find("menu");
  REQUIRE(menu);
  auto svg = gw::flow_graph_svg(*menu, shipped().text());
  REQUIRE(svg);
  CHECK(svg->rfind("<?xml", 0) == 0);
  CHECK(svg->find("<svg") != std::string::npos);
  std::string why;
  CHECK(well_formed(*svg, &why));
  INFO(why);
  for (const auto& [id, n] : menu->nodes) {
    INFO(id);
    CHECK(count(*svg, "id=\"node-" + id + "\"") == 1);
    CHECK(svg->find("id=\"node-" + id + "\" class=\"node flow-node kind-" + gw::node_kind_name(n.kind)) !=
          std::string::npos);
  }
  CHECK(count(*svg, "id=\"node-") == menu->nodes.size());
  CHECK(svg->find("id=\"node-ask\" class=\"node flow-node kind-ask flow-start\"") != std::string::npos);
  CHECK(count(*svg, "flow-start") == 1);
  CHECK(text_of_id(*svg, "node-ask").find("start") != std::string::npos);
  // The prompt's text, not its key.
  CHECK(text_of_id(*svg, "node-ask").find(shipped().templates.text("menu.prompt").substr(0, 20)) !=
        std::string::npos);
}

TEST_CASE("each choice of the menu is an edge labelled with the choice's text", "[flow_graph]") {
  const gw::Flow* menu = shipped().flows.find("menu");
  REQUIRE(menu);
  auto svg = gw::flow_graph_svg(*menu, shipped().text());
  REQUIRE(svg);
  const std::vector<std::string> choices = texts_of(*svg, "exit-choice");
  const gw::Node* ask = menu->find("ask");
  REQUIRE(ask);
  CHECK(choices.size() == ask->choices.size());
  for (const gw::Choice& c : ask->choices) {
    INFO(c.label);
    CHECK(contains(choices, shipped().templates.text(c.label)));
  }
  CHECK(texts_of(*svg, "exit-fallback") == std::vector<std::string>{"fallback"});
  // Every subflow returns to the menu.
  CHECK(texts_of(*svg, "exit-return").size() == 7);
  CHECK(contains(texts_of(*svg, "kind-subflow"), "rights \u00b7 subflow enters flow rights"));
  CHECK(contains(texts_of(*svg, "kind-handover"), "stuck \u00b7 handover queue general, priority normal " +
                                                      shipped().templates.text("note.asked_for_person")));
}

TEST_CASE("Arabic and markup in a message come out escaped and the SVG stays well formed", "[flow_graph]") {
  const std::string arabic = "\u0645\u0631\u062d\u0628\u0627";  // "welcome"
  gw::Node hello = node("hello", gw::NodeKind::kSay);
  hello.say = {"t.hello"};
  hello.next = "bye";
  gw::Node bye = node("bye", gw::NodeKind::kEnd);
  bye.say = {"t.bye"};
  gw::Node ask = node("ask", gw::NodeKind::kAsk);
  ask.prompt = "t.ask";
  ask.choices = {gw::Choice{"t.choice", {}, "", "hello"}};
  const gw::Flow flow = flow_of("f", {hello, bye, ask});
  gw::FlowGraphText text{[&](const std::string& key) -> std::string {
    if (key == "t.hello") return arabic + " a & b <c> \"d\" e\\f \\N";
    if (key == "t.bye") return "</text></g><g id=\"node-evil\"> &amp &#; ]]> <!-- x --";
    if (key == "t.choice") return "1 <&\"> \\";
    return "ctl\x01\x1b[31m bad\xff\xfe utf \xef\xbf\xbe zwnj\u200c.";
  }};
  auto svg = gw::flow_graph_svg(flow, text);
  REQUIRE(svg);
  std::string why;
  CHECK(well_formed(*svg, &why));
  INFO(why);
  CHECK(svg->find(arabic) != std::string::npos);  // UTF-8 as it is, not as entities
  CHECK(text_of_id(*svg, "node-hello") ==
        "hello \u00b7 say \u00b7 start " + arabic + " a & b <c> \"d\" e\\f \\N");
  CHECK(texts_of(*svg, "exit-choice") == std::vector<std::string>{"1 <&\"> \\"});
  CHECK(count(*svg, "id=\"node-") == 3);
  CHECK(text_of_id(*svg, "node-bye").find("<g id=") != std::string::npos);
  // Control characters become spaces, invalid UTF-8 and noncharacters U+FFFD.
  const std::string asked = text_of_id(*svg, "node-ask");
  CHECK(asked.find('\x01') == std::string::npos);
  CHECK(asked.find('\x1b') == std::string::npos);
  CHECK(asked.find("\uFFFD") != std::string::npos);
  CHECK(asked.find("\xef\xbf\xbe") == std::string::npos);  // U+FFFE
  CHECK(asked.find("zwnj\u200c.") != std::string::npos);   // Persian's zero-width non-joiner stays
}

TEST_CASE("a long message is cut to 80 characters ending in an ellipsis", "[flow_graph]") {
  std::string words;
  for (int i = 0; i < 40; ++i) words += "word ";
  gw::Node say = node("long", gw::NodeKind::kSay);
  say.say = {"t.long"};
  auto svg = gw::flow_graph_svg(flow_of("f", {say}), {[&](const std::string&) { return words; }});
  REQUIRE(svg);
  // 79 characters and the ellipsis, wrapped over lines at spaces.
  CHECK(text_of_id(*svg, "node-long") == "long \u00b7 say \u00b7 start " + words.substr(0, 79) + "\u2026");
}

TEST_CASE("each kind of node shows what it does and each exit is labelled", "[flow_graph]") {
  gw::Node branch = node("route", gw::NodeKind::kBranch);
  gw::Case c1;
  c1.when.subject = "result.topic";
  c1.when.value = "rights";
  c1.next = "wait";
  gw::Case c2;
  c2.when.subject = "score";
  c2.when.op = gw::Condition::Op::kAtLeast;
  c2.when.value = 3;
  c2.next = "help";
  branch.cases = {c1, c2};
  branch.default_next = "sub";
  gw::Node wait = node("wait", gw::NodeKind::kWait);
  wait.seconds = 60;
  wait.next = "done";
  wait.timeout_next = "nowhere";  // not a node of the flow
  gw::Node help = node("help", gw::NodeKind::kHandover);
  help.queue = "urgent";
  help.priority = gw::Priority::kUrgent;
  help.stat = "indicator:isolation";
  gw::Node sub = node("sub", gw::NodeKind::kSubflow);
  sub.flow = "rights";
  sub.next = "route";
  gw::Node done = node("done", gw::NodeKind::kEnd);
  done.say = {"t.unknown"};
  auto svg = gw::flow_graph_svg(flow_of("f", {branch, wait, help, sub, done}),
                                {[](const std::string&) { return std::string(); }});
  REQUIRE(svg);
  CHECK(texts_of(*svg, "exit-case") == std::vector<std::string>{"result.topic = rights", "score \u2265 3"});
  CHECK(texts_of(*svg, "exit-default") == std::vector<std::string>{"default"});
  CHECK(texts_of(*svg, "exit-timeout") == std::vector<std::string>{"timeout"});
  CHECK(texts_of(*svg, "exit-return") == std::vector<std::string>{"return"});
  // A step the statistics count says so.
  CHECK(text_of_id(*svg, "node-help") ==
        "help \u00b7 handover queue urgent, priority urgent counts indicator:isolation");
  CHECK(text_of_id(*svg, "node-sub") == "sub \u00b7 subflow enters flow rights");
  CHECK(text_of_id(*svg, "node-wait") == "wait \u00b7 wait waits 60 s");
  CHECK(svg->find("id=\"node-done\" class=\"node flow-node kind-end\"") != std::string::npos);
  // A template without text shows its key; a missing node is drawn, not dropped.
  CHECK(text_of_id(*svg, "node-done") == "done \u00b7 end t.unknown");
  CHECK(text_of_id(*svg, "missing-nowhere") == "nowhere missing");
  CHECK(count(*svg, "id=\"node-") == 5);
}

TEST_CASE("a flow of 501 nodes is refused with an error naming the limit", "[flow_graph]") {
  std::vector<gw::Node> nodes;
  for (int i = 0; i < 501; ++i) {
    std::string id = "n";
    id += std::to_string(i);
    nodes.push_back(node(id, gw::NodeKind::kEnd));
  }
  auto svg = gw::flow_graph_svg(flow_of("big", nodes), {});
  REQUIRE_FALSE(svg);
  CHECK(svg.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(svg.error().message.find("501") != std::string::npos);
  CHECK(svg.error().message.find("500") != std::string::npos);
}

TEST_CASE("a node id that is not a plain name is refused", "[flow_graph]") {
  auto svg = gw::flow_graph_svg(flow_of("f", {node("a\"b", gw::NodeKind::kEnd)}), {});
  REQUIRE_FALSE(svg);
  CHECK(svg.error().code == gw::ErrorCode::kInvalidArgument);
}

TEST_CASE("diagrams drawn from two threads at once are the same as one drawn alone", "[flow_graph]") {
  const gw::Flow* menu = shipped().flows.find("menu");
  REQUIRE(menu);
  auto alone = gw::flow_graph_svg(*menu, shipped().text());
  REQUIRE(alone);
  std::vector<std::string> drawn[2];
  std::vector<std::thread> threads;
  for (auto& out : drawn) {
    threads.emplace_back([&out, menu] {
      for (int i = 0; i < 3; ++i) {
        auto svg = gw::flow_graph_svg(*menu, shipped().text());
        out.push_back(svg ? *svg : svg.error().message);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& out : drawn) {
    for (const std::string& svg : out) CHECK(svg == *alone);
  }
}

TEST_CASE("an exit across more than four columns ends at a link node naming its target", "[flow_graph]") {
  // ask → s1 → … → s8 → stuck, and the ask's fallback straight to stuck.
  gw::Node ask = node("ask", gw::NodeKind::kAsk);
  ask.choices = {gw::Choice{"t.go", {}, "", "s1"}};
  ask.fallback = "stuck";
  std::vector<gw::Node> nodes = {ask};
  for (int i = 1; i <= 8; ++i) {
    gw::Node say = node("s" + std::to_string(i), gw::NodeKind::kSay);
    say.next = i < 8 ? "s" + std::to_string(i + 1) : "stuck";
    nodes.push_back(say);
  }
  nodes.push_back(node("stuck", gw::NodeKind::kHandover));
  auto svg = gw::flow_graph_svg(flow_of("f", nodes), {});
  REQUIRE(svg);
  CHECK(texts_of(*svg, "flow-link") == std::vector<std::string>{"\u2192 stuck"});
  CHECK(texts_of(*svg, "exit-fallback") == std::vector<std::string>{"fallback"});
  CHECK(count(*svg, "id=\"node-") == 10);
  // The short exits are drawn as they are: no other link node.
  CHECK(count(*svg, "flow-link") == 1);
}
