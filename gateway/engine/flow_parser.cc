#include "gateway/engine/flow_parser.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <vector>

#include "gateway/core/json_reader.h"
#include "gateway/engine/stat_tag.h"

namespace gw {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Template keys are dot-separated names: "rights.uk.nrm".
bool is_template_key(const std::string& s) {
  if (s.empty() || s.size() > 128 || s.front() == '.' || s.back() == '.') return false;
  if (s.find("..") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

// JSON paths as JsonReader writes them: "$.nodes" + "menu" → "$.nodes.menu".
constexpr auto member = &JsonReader::member;
constexpr auto item = &JsonReader::item;

// Reads one flow file with a JsonReader (which collects the problems), adding
// the rules of the flow format; reports `file:location: message` lines.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void problem(const std::string& location, const std::string& message) { json_.problem(location, message); }
  std::vector<std::string> problems() const {
    std::vector<std::string> lines;
    for (const JsonProblem& p : json_.problems()) lines.push_back(file_ + ":" + p.path + ": " + p.message);
    return lines;
  }

  // Reports members of `obj` not in `allowed`.
  void only(const json& obj, const std::string& path, const std::vector<std::string>& allowed,
            const std::string& what) {
    json_.only_keys_at(obj, path, allowed, "unknown field in " + what);
  }

  // A required or optional string member; `check` validates its form.
  bool string(const json& obj, const std::string& path, const std::string& name, bool required,
              std::string* out, bool (*check)(const std::string&) = nullptr, const char* form = nullptr) {
    auto it = obj.find(name);
    if (it == obj.end()) {
      if (required) problem(member(path, name), "is required");
      return !required;
    }
    if (!it->is_string()) {
      problem(member(path, name), "must be a string");
      return false;
    }
    std::string s = it->get<std::string>();
    if (check && !check(s)) {
      problem(member(path, name), std::string("must be ") + (form ? form : "valid"));
      return false;
    }
    *out = s;
    return true;
  }

  bool node_ref(const json& obj, const std::string& path, const std::string& name, bool required,
                std::string* out) {
    return string(obj, path, name, required, out, is_plain_name, "a node id (letters, digits, _ or -)");
  }
  bool key(const json& obj, const std::string& path, const std::string& name, bool required,
           std::string* out) {
    return string(obj, path, name, required, out, is_template_key, "a template key such as \"menu.prompt\"");
  }

  bool integer(const json& obj, const std::string& path, const std::string& name, bool required, int64_t lo,
               int64_t hi, int64_t* out) {
    auto it = obj.find(name);
    if (it == obj.end()) {
      if (required) problem(member(path, name), "is required");
      return !required;
    }
    if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi) {
      problem(member(path, name),
              "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
      return false;
    }
    *out = it->get<int64_t>();
    return true;
  }

  // A list of template keys; a single string is accepted where `single_ok`.
  void keys(const json& obj, const std::string& path, const std::string& name, bool required, bool single_ok,
            std::vector<std::string>* out) {
    auto it = obj.find(name);
    const std::string p = member(path, name);
    if (it == obj.end()) {
      if (required) problem(p, "is required");
      return;
    }
    if (single_ok && it->is_string()) {
      if (is_template_key(it->get<std::string>()))
        out->push_back(it->get<std::string>());
      else
        problem(p, "must be a template key");
      return;
    }
    if (!it->is_array() || it->empty()) {
      problem(p, "must be a non-empty list of template keys");
      return;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const json& k = (*it)[i];
      if (k.is_string() && is_template_key(k.get<std::string>()))
        out->push_back(k.get<std::string>());
      else
        problem(item(p, i), "must be a template key");
    }
  }

  void vars(const json& obj, const std::string& path, json* out) {
    auto it = obj.find("vars");
    if (it == obj.end()) return;
    const std::string p = member(path, "vars");
    if (!it->is_object()) {
      problem(p, "must be an object of name → value");
      return;
    }
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (!s.empty() && s[0] == '$' && !is_valid_subject(std::string_view(s).substr(1))) {
          problem(member(p, k),
                  "refers to an unknown value (use $result.NAME, $field.NAME, $score.NAME, "
                  "$country, $channel, $language or $guess.N)");
        }
      } else if (!v.is_number() && !v.is_boolean()) {
        problem(member(p, k), "must be a string, a number or true/false");
      }
    }
    *out = *it;
  }

  void choice(const json& c, const std::string& path, Choice* out) {
    if (!c.is_object()) {
      problem(path, "must be an object with \"label\" and \"next\"");
      return;
    }
    only(c, path, {"label", "keywords", "value", "next"}, "a choice");
    key(c, path, "label", true, &out->label);
    keys(c, path, "keywords", false, true, &out->keywords);
    string(c, path, "value", false, &out->value);
    node_ref(c, path, "next", true, &out->next);
    if (out->value.empty()) out->value = out->label;
  }

  void branch_case(const json& c, const std::string& path, Case* out) {
    if (!c.is_object()) {
      problem(path, "must be an object with \"if\", one test and \"next\"");
      return;
    }
    only(c, path, {"if", "equals", "in", ">=", "<=", "exists", "next"}, "a case");
    string(
        c, path, "if", true, &out->when.subject, [](const std::string& s) { return is_valid_subject(s); },
        "result.NAME, field.NAME, score, score.NAME, country, channel, language or guess.N");
    node_ref(c, path, "next", true, &out->next);
    int tests = 0;
    for (const char* op : {"equals", "in", ">=", "<=", "exists"}) {
      if (!c.contains(op)) continue;
      ++tests;
      const json& v = c[op];
      const std::string p = member(path, op);
      out->when.value = v;
      const std::string o = op;
      if (o == "equals") {
        out->when.op = Condition::Op::kEquals;
        if (!v.is_string() && !v.is_number()) problem(p, "must be a string or a number");
      } else if (o == "in") {
        out->when.op = Condition::Op::kIn;
        bool ok = v.is_array() && !v.empty();
        if (ok) {
          for (const json& e : v) ok = ok && (e.is_string() || e.is_number());
        }
        if (!ok) problem(p, "must be a non-empty list of strings or numbers");
      } else if (o == "exists") {
        out->when.op = Condition::Op::kExists;
        if (!v.is_boolean()) problem(p, "must be true or false");
      } else {
        out->when.op = o == ">=" ? Condition::Op::kAtLeast : Condition::Op::kAtMost;
        if (!v.is_number()) problem(p, "must be a number");
      }
    }
    if (tests != 1) problem(path, "needs exactly one of equals, in, >=, <=, exists");
  }

  void node(const json& n, const std::string& path, Node* out) {
    if (!n.is_object()) {
      problem(path, "must be an object with a \"type\"");
      return;
    }
    std::string type;
    if (!string(n, path, "type", true, &type)) return;
    auto kind = node_kind_from_name(type);
    if (!kind) {
      problem(
          member(path, "type"),
          "unknown node type (say, ask, capture, branch, score, set, subflow, handover, wait, end, erase)");
      return;
    }
    out->kind = *kind;
    std::vector<std::string> allowed = node_kind_fields(*kind);
    allowed.push_back("type");
    only(n, path, allowed, "this " + type + " node");
    if (n.contains("comment") && !n["comment"].is_string())
      problem(member(path, "comment"), "must be a string");
    if (n.contains("stat")) {
      const json& st = n["stat"];
      if (!st.is_string()) {
        problem(member(path, "stat"), "must be a string such as \"topic:rights.it.work\"");
      } else if (auto tag = parse_stat_tag(st.get<std::string>()); !tag) {
        problem(member(path, "stat"), tag.error().message);
      } else {
        out->stat = st.get<std::string>();
      }
    }
    vars(n, path, &out->vars);
    int64_t num = 0;
    switch (*kind) {
      case NodeKind::kSay:
        keys(n, path, "say", true, true, &out->say);
        node_ref(n, path, "next", true, &out->next);
        break;
      case NodeKind::kEnd:
      case NodeKind::kErase:
        keys(n, path, "say", false, true, &out->say);
        break;
      case NodeKind::kAsk: {
        key(n, path, "prompt", true, &out->prompt);
        key(n, path, "retry", false, &out->retry);
        node_ref(n, path, "fallback", true, &out->fallback);
        string(n, path, "result", false, &out->result, is_plain_name, "a name (letters, digits, _ or -)");
        if (integer(n, path, "max_retries", false, 0, 10, &num) && n.contains("max_retries")) {
          out->max_retries = static_cast<int>(num);
        }
        const std::string p = member(path, "choices");
        auto it = n.find("choices");
        if (it == n.end()) {
          problem(p, "is required");
        } else if (!it->is_array() || it->empty() || it->size() > 20) {
          problem(p, "must be a list of 1 to 20 choices");
        } else {
          out->choices.resize(it->size());
          for (size_t i = 0; i < it->size(); ++i) choice((*it)[i], item(p, i), &out->choices[i]);
        }
        break;
      }
      case NodeKind::kCapture:
        key(n, path, "prompt", true, &out->prompt);
        string(n, path, "result", true, &out->result, is_plain_name, "a name (letters, digits, _ or -)");
        node_ref(n, path, "next", true, &out->next);
        break;
      case NodeKind::kBranch: {
        node_ref(n, path, "default", true, &out->default_next);
        const std::string p = member(path, "cases");
        auto it = n.find("cases");
        if (it == n.end()) {
          problem(p, "is required");
        } else if (!it->is_array() || it->empty()) {
          problem(p, "must be a non-empty list of cases");
        } else {
          out->cases.resize(it->size());
          for (size_t i = 0; i < it->size(); ++i) branch_case((*it)[i], item(p, i), &out->cases[i]);
        }
        break;
      }
      case NodeKind::kScore:
        string(n, path, "score", false, &out->score, is_plain_name, "a name (letters, digits, _ or -)");
        if (integer(n, path, "add", true, -1000000, 1000000, &num)) out->add = num;
        node_ref(n, path, "next", true, &out->next);
        break;
      case NodeKind::kSet: {
        const bool has_lang = n.contains("language"), has_field = n.contains("field");
        if (has_lang == has_field) problem(path, "needs either \"language\" or \"field\" (with \"value\")");
        auto lang_ok = [](const std::string& s) {
          if (!s.empty() && s[0] == '$') return s.rfind("$guess.", 0) == 0 && is_valid_subject(s.substr(1));
          return !s.empty() && s.size() <= 16 && std::all_of(s.begin(), s.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
          });
        };
        string(n, path, "language", false, &out->language, lang_ok,
               "a language code such as \"ar\" or $guess.N");
        string(n, path, "field", false, &out->field, is_plain_name, "a name (letters, digits, _ or -)");
        if (has_field) {
          string(
              n, path, "value", true, &out->value,
              [](const std::string& s) { return s.empty() || s[0] != '$' || is_valid_subject(s.substr(1)); },
              "a text or a reference such as $result.NAME");
        } else if (n.contains("value")) {
          problem(member(path, "value"), "is only used with \"field\"");
        }
        node_ref(n, path, "next", true, &out->next);
        break;
      }
      case NodeKind::kSubflow:
        node_ref(n, path, "flow", true, &out->flow);  // flow ids follow the node id form
        node_ref(n, path, "next", true, &out->next);
        break;
      case NodeKind::kHandover: {
        string(n, path, "queue", true, &out->queue, is_plain_name, "a queue name (letters, digits, _ or -)");
        std::string prio;
        if (string(n, path, "priority", false, &prio) && !prio.empty()) {
          if (auto p = priority_from_name(prio))
            out->priority = *p;
          else
            problem(member(path, "priority"), "must be urgent, high or normal");
        }
        key(n, path, "note", false, &out->note);
        break;
      }
      case NodeKind::kWait:
        if (integer(n, path, "seconds", true, 1, 30LL * 24 * 3600, &num)) out->seconds = num;
        node_ref(n, path, "next", true, &out->next);
        node_ref(n, path, "timeout_next", true, &out->timeout_next);
        break;
    }
  }

  void flow(const json& doc, Flow* out) {
    if (!doc.is_object()) {
      problem("$", "must be an object with \"id\", \"start\" and \"nodes\"");
      return;
    }
    only(doc, "$", {"id", "start", "nodes", "comment"}, "a flow");
    string(doc, "$", "id", true, &out->id, is_plain_name, "a flow id (letters, digits, _ or -)");
    const std::string stem = fs::path(file_).stem().string();
    if (!out->id.empty() && out->id != stem) {
      problem("$.id", "must match the file name (\"" + stem + "\")");
    }
    node_ref(doc, "$", "start", true, &out->start);
    auto it = doc.find("nodes");
    if (it == doc.end()) {
      problem("$.nodes", "is required");
      return;
    }
    if (!it->is_object() || it->empty()) {
      problem("$.nodes", "must be an object of node id → node, with at least one node");
      return;
    }
    for (const auto& [id, n] : it->items()) {
      const std::string p = member("$.nodes", id);
      if (!is_plain_name(id)) {
        problem(p, "node ids use letters, digits, _ or - (at most 64)");
        continue;
      }
      Node node;
      node.id = id;
      this->node(n, p, &node);
      out->order.push_back(id);
      out->nodes.emplace(id, std::move(node));
    }
  }

  void globals(const json& doc, FlowSet* set) {
    if (!doc.is_object()) {
      problem("$", "must be an object with \"entry\" and \"keywords\"");
      return;
    }
    only(doc, "$", {"entry", "keywords", "crisis", "comment"}, "globals");
    node_ref(doc, "$", "entry", true, &set->entry);
    node_ref(doc, "$", "crisis", false, &set->crisis);
    auto it = doc.find("keywords");
    if (it == doc.end()) return;
    if (!it->is_array()) {
      problem("$.keywords", "must be a list");
      return;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const json& k = (*it)[i];
      const std::string p = item("$.keywords", i);
      if (!k.is_object()) {
        problem(p, "must be an object with \"keyword\" and \"flow\" or \"handover\"");
        continue;
      }
      only(k, p, {"keyword", "flow", "resume", "handover"}, "a global keyword");
      GlobalKeyword g;
      key(k, p, "keyword", true, &g.keyword);
      if (k.contains("flow") == k.contains("handover")) problem(p, "needs either \"flow\" or \"handover\"");
      node_ref(k, p, "flow", false, &g.flow);
      if (k.contains("resume")) {
        if (k["resume"].is_boolean())
          g.resume = k["resume"].get<bool>();
        else
          problem(member(p, "resume"), "must be true or false");
      }
      if (auto h = k.find("handover"); h != k.end()) {
        const std::string hp = member(p, "handover");
        g.handover = true;
        if (!h->is_object()) {
          problem(hp, "must be an object with \"queue\"");
        } else {
          only(*h, hp, {"queue", "priority", "note"}, "a handover");
          string(*h, hp, "queue", true, &g.queue, is_plain_name, "a queue name (letters, digits, _ or -)");
          std::string prio;
          if (string(*h, hp, "priority", false, &prio) && !prio.empty()) {
            if (auto pr = priority_from_name(prio))
              g.priority = *pr;
            else
              problem(member(hp, "priority"), "must be urgent, high or normal");
          }
          key(*h, hp, "note", false, &g.note);
        }
      }
      set->globals.push_back(std::move(g));
    }
  }

  // Parses `text`, reporting a syntax error at "$".
  std::optional<json> parse(std::string_view text) { return json_.parse(text); }

 private:
  std::string file_;
  JsonReader json_;
};

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += "\n";
    out += l;
  }
  return out;
}

}  // namespace

Result<Flow> parse_flow(std::string_view text, const std::string& file) {
  Reader r(file);
  Flow f;
  f.file = file;
  if (auto doc = r.parse(text)) r.flow(*doc, &f);
  if (!r.problems().empty()) return Error::invalid(join(r.problems()));
  return f;
}

Status parse_globals(std::string_view text, const std::string& file, FlowSet* set) {
  Reader r(file);
  set->globals_file = file;
  if (auto doc = r.parse(text)) r.globals(*doc, set);
  if (!r.problems().empty()) return Error::invalid(join(r.problems()));
  return ok_status();
}

}  // namespace gw
