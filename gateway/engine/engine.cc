#include "gateway/engine/engine.h"

#include <algorithm>
#include <cstdlib>

#include "gateway/engine/input_match.h"
#include "gateway/engine/stat_tag.h"

namespace gw {

using nlohmann::json;

namespace {

std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string as_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return v.dump();
}

std::optional<double> as_number(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

// Free text kept as a result: trimmed, at most 1024 bytes, cut on a code point.
std::string clean_capture(const std::string& text) {
  const auto b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  std::string s = text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
  if (s.size() > 1024) {
    size_t cut = 1024;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
  }
  return s;
}

// One call of the engine: a working copy of the session and the effects so far.
class Run {
 public:
  Run(const FlowSet& flows, const Lexicon& lexicon, const EngineOptions& options, Session session,
      const ContactView& contact, TimePoint now)
      : flows_(flows),
        lexicon_(lexicon),
        options_(options),
        s_(std::move(session)),
        contact_(contact),
        now_(now) {
    // Guesses come with a session's first message; later turns use the kept ones.
    if (!contact_.language_guesses.empty())
      s_.guesses = contact_.language_guesses;
    else
      contact_.language_guesses = s_.guesses;
  }

  Session& session() { return s_; }
  // A new, active session that keeps the language guesses.
  Session fresh_session() const {
    Session fresh;
    fresh.ended = false;
    fresh.guesses = contact_.language_guesses;
    return fresh;
  }
  StepResult finish() { return {std::move(s_), std::move(fx_), {}}; }

  // True when the session is active and its position still exists in the flows
  // with the node kind it waits at.
  bool resumable() const {
    if (s_.ended || s_.stack.empty() || now_ >= s_.expires_at) return false;
    for (const Frame& f : s_.stack) {
      if (!flows_.find(f.flow, f.node)) return false;
    }
    const Node* n = flows_.find(s_.at().flow, s_.at().node);
    switch (s_.waiting) {
      case Waiting::kAnswer:
        return n->kind == NodeKind::kAsk;
      case Waiting::kText:
        return n->kind == NodeKind::kCapture;
      case Waiting::kReply:
        return n->kind == NodeKind::kWait;
      case Waiting::kNone:
        return false;
    }
    return false;
  }

  // A live session whose position the flows no longer have.
  bool stale() const { return !s_.ended && !s_.stack.empty() && now_ < s_.expires_at && !resumable(); }

  // REQUIRES: stale(). Restarts at a safe point (see Engine::step) and runs.
  void restart_stale() {
    size_t i = 0;
    while (i < s_.stack.size() && flows_.find(s_.stack[i].flow, s_.stack[i].node)) ++i;
    if (i == s_.stack.size()) i = s_.stack.size() - 1;  // every node exists: the top one changed kind
    const Flow* f = flows_.find(s_.stack[i].flow);
    if (!f) return start_fresh(flows_.entry);
    s_.stack.resize(i + 1);
    s_.stack[i].node = f->start;
    s_.stack[i].reenter = false;
    s_.waiting = Waiting::kNone;
    s_.retries = 0;
    s_.due_at.reset();
    run();
  }

  // Replaces the session with a new one at the start of `flow_id` and runs it.
  void start_fresh(const std::string& flow_id) {
    s_ = fresh_session();
    const Flow* f = flows_.find(flow_id);
    if (!f) return fail("no flow \"" + flow_id + "\" to start");
    s_.stack.push_back({flow_id, f->start});
    run();
  }

  // The global keyword `input` is, if any.
  const GlobalKeyword* match_global(const std::string& input) const {
    std::vector<KeywordCandidate> cands;
    for (size_t i = 0; i < flows_.globals.size(); ++i) {
      cands.push_back({lexicon_.keywords(flows_.globals[i].keyword, contact_.language), static_cast<int>(i)});
    }
    auto i = best_keyword_match(input, cands);
    return i ? &flows_.globals[static_cast<size_t>(*i)] : nullptr;
  }

  // Enters the crisis flow on top of where the person is; they come back to it.
  void enter_crisis(bool active) {
    GlobalKeyword g;
    g.keyword = "crisis";
    g.flow = flows_.crisis;
    g.resume = true;
    apply_global(g, active);
  }

  void apply_global(const GlobalKeyword& g, bool active) {
    if (!active) {
      s_ = fresh_session();
    }
    if (g.handover) {
      fx_.push_back(effect::Handover{g.queue, priority_name(g.priority), g.note, json::object()});
      return end("handover");
    }
    const Flow* f = flows_.find(g.flow);
    if (!f) return fail("global keyword " + g.keyword + ": no flow \"" + g.flow + "\"");
    if (!g.resume) {
      s_.stack = {Frame{g.flow, f->start}};
      return run();
    }
    // Already inside that flow: start it again there instead of nesting it.
    for (size_t i = 0; i < s_.stack.size(); ++i) {
      if (s_.stack[i].flow == g.flow) {
        s_.stack.resize(i + 1);
        s_.stack[i].node = f->start;
        return run();
      }
    }
    if (!active) {
      if (const Flow* entry = flows_.find(flows_.entry)) s_.stack.push_back({entry->id, entry->start, true});
    } else {
      s_.stack.back().reenter = true;
    }
    if (static_cast<int>(s_.stack.size()) >= options_.max_depth) return fail("sub-flows nested too deeply");
    s_.stack.push_back({g.flow, f->start});
    run();
  }

  // REQUIRES: resumable(). The input answers the node the session waits at.
  void answer(const Input& in) {
    Frame& f = s_.stack.back();
    const Node& n = *flows_.find(f.flow, f.node);
    switch (s_.waiting) {
      case Waiting::kAnswer: {
        if (auto i = match_choice(n, in.text)) {
          const Choice& c = n.choices[static_cast<size_t>(*i)];
          if (!n.result.empty()) {
            s_.results[n.result] = c.value;
            fx_.push_back(effect::RecordResult{n.result, c.value});
          }
          f.node = c.next;
          return run();
        }
        // Distress where a number was expected: the crisis answer, not "reply with a
        // number" (inside the crisis flow itself, its fallback is the answer).
        if (in.distress && !flows_.crisis.empty() && f.flow != flows_.crisis) return enter_crisis(true);
        if (++s_.retries > n.max_retries) {
          f.node = n.fallback;
          unclear_ = true;
          return run();
        }
        if (!n.retry.empty()) fx_.push_back(effect::Say{n.retry, resolve_vars(n.vars), {}});
        fx_.push_back(prompt(n));
        return;
      }
      case Waiting::kText:
        s_.results[n.result] = clean_capture(in.text);
        f.node = n.next;
        return run();
      case Waiting::kReply:
        f.node = n.next;
        return run();
      case Waiting::kNone:
        return;
    }
  }

  bool wait_due() const { return s_.waiting == Waiting::kReply && s_.due_at && now_ >= *s_.due_at; }

  // REQUIRES: resumable() && wait_due()
  void time_out() {
    Frame& f = s_.stack.back();
    f.node = flows_.find(f.flow, f.node)->timeout_next;
    run();
  }

  void end(const std::string& reason) {
    fx_.push_back(effect::End{reason});
    s_.ended = true;
    s_.stack.clear();
    s_.waiting = Waiting::kNone;
    s_.due_at.reset();
    s_.retries = 0;
    s_.results.clear();
    s_.scores.clear();
  }

  void fail(const std::string& message) {
    fx_.push_back(effect::Error{message});
    end("error");
  }

  // Runs from the current node until the flow waits or the session ends.
  void run() {
    s_.waiting = Waiting::kNone;
    s_.due_at.reset();
    s_.retries = 0;
    int steps = 0;
    bool returning = false;  // the next node is a parent's, entered again (Frame::reenter)
    while (!s_.ended) {
      Frame& f = s_.stack.back();
      if (++steps > options_.max_steps) {
        return fail("flow " + f.flow + ": more than " + std::to_string(options_.max_steps) +
                    " steps without waiting for the person (at node " + f.node + ")");
      }
      const Node* n = flows_.find(f.flow, f.node);
      if (!n) return fail("flow " + f.flow + ": no node \"" + f.node + "\"");
      // A tagged node counts each time the person reaches it, before its own effects;
      // a question asked again on the way back from a sub-flow was reached before.
      if (!n->stat.empty() && !returning) {
        if (auto tag = parse_stat_tag(n->stat)) fx_.push_back(effect::Stat{tag->metric, tag->value});
      }
      returning = false;
      switch (n->kind) {
        case NodeKind::kSay:
          say_all(*n);
          f.node = n->next;
          break;
        case NodeKind::kAsk:
          fx_.push_back(prompt(*n));
          s_.waiting = Waiting::kAnswer;
          return;
        case NodeKind::kCapture:
          fx_.push_back(effect::Say{n->prompt, resolve_vars(n->vars), {}});
          s_.waiting = Waiting::kText;
          return;
        case NodeKind::kWait:
          s_.waiting = Waiting::kReply;
          s_.due_at = now_ + std::chrono::seconds(n->seconds);
          return;
        case NodeKind::kBranch:
          f.node = choose(*n);
          break;
        case NodeKind::kScore:
          s_.scores[n->score] += n->add;
          f.node = n->next;
          break;
        case NodeKind::kSet:
          if (!n->language.empty()) {
            std::string lang = resolve(n->language);
            if (!lang.empty()) {
              contact_.language = lang;
              fx_.push_back(effect::SetLanguage{lang});
            }
          } else {
            std::string value = resolve(n->value);
            contact_.fields[n->field] = value;
            fx_.push_back(effect::SetField{n->field, value});
          }
          f.node = n->next;
          break;
        case NodeKind::kSubflow: {
          const Flow* sub = flows_.find(n->flow);
          if (!sub)
            return fail("flow " + f.flow + ": node " + n->id + " enters unknown flow \"" + n->flow + "\"");
          if (static_cast<int>(s_.stack.size()) >= options_.max_depth) {
            return fail("flow " + f.flow + ": sub-flows nested too deeply at node " + n->id);
          }
          s_.stack.push_back({sub->id, sub->start});  // invalidates f
          break;
        }
        case NodeKind::kHandover:
          fx_.push_back(effect::Handover{n->queue, priority_name(n->priority), n->note, resolve_vars(n->vars),
                                         unclear_});
          return end("handover");
        case NodeKind::kErase:
          say_all(*n);
          fx_.push_back(effect::Erase{});
          return end("erase");
        case NodeKind::kEnd: {
          say_all(*n);
          s_.stack.pop_back();  // invalidates f
          if (s_.stack.empty()) return end("end");
          Frame& parent = s_.stack.back();
          if (parent.reenter) {
            parent.reenter = false;
            returning = true;
          } else {
            const Node* from = flows_.find(parent.flow, parent.node);
            if (!from) return fail("flow " + parent.flow + ": no node \"" + parent.node + "\"");
            parent.node = from->next;
          }
          break;
        }
      }
    }
  }

 private:
  effect::Say prompt(const Node& n) const {
    effect::Say say{n.prompt, resolve_vars(n.vars), {}};
    for (const Choice& c : n.choices) say.choices.push_back(c.label);
    return say;
  }

  void say_all(const Node& n) {
    for (const std::string& key : n.say) fx_.push_back(effect::Say{key, resolve_vars(n.vars), {}});
  }

  // Index of the choice `text` selects: its number (any digits or number word),
  // else one of its keywords.
  std::optional<int> match_choice(const Node& n, const std::string& text) const {
    const int count = static_cast<int>(n.choices.size());
    if (auto num = match_number(text, lexicon_, contact_.language, count)) return *num - 1;
    std::vector<KeywordCandidate> cands;
    for (int i = 0; i < count; ++i) {
      KeywordCandidate c{{}, i};
      for (const std::string& key : n.choices[static_cast<size_t>(i)].keywords) {
        for (std::string& w : lexicon_.keywords(key, contact_.language)) c.words.push_back(std::move(w));
      }
      cands.push_back(std::move(c));
    }
    return best_keyword_match(text, cands);
  }

  // The value of a subject (see Condition), or nullopt when it has none.
  std::optional<json> lookup(const std::string& subject) const {
    auto after = [&](const char* prefix) { return subject.substr(std::char_traits<char>::length(prefix)); };
    auto text = [](const std::string& v) -> std::optional<json> {
      if (v.empty()) return std::nullopt;
      return json(v);
    };
    if (subject.rfind("result.", 0) == 0) {
      auto it = s_.results.find(after("result."));
      return it == s_.results.end() ? std::nullopt : text(it->second);
    }
    if (subject.rfind("field.", 0) == 0) {
      auto it = contact_.fields.find(after("field."));
      return it == contact_.fields.end() ? std::nullopt : text(it->second);
    }
    if (subject == "score" || subject.rfind("score.", 0) == 0) {
      auto it = s_.scores.find(subject == "score" ? "score" : after("score."));
      return it == s_.scores.end() ? std::nullopt : std::optional<json>(json(it->second));
    }
    if (subject == "country") return text(contact_.country);
    if (subject == "channel") return text(contact_.channel);
    if (subject == "language") return text(contact_.language);
    if (subject.rfind("guess.", 0) == 0) {
      const size_t i = static_cast<size_t>(std::atoi(after("guess.").c_str()));
      if (i >= 1 && i <= contact_.language_guesses.size()) return text(contact_.language_guesses[i - 1]);
    }
    return std::nullopt;
  }

  // "$subject" → its value as text ("" when unset); anything else as written.
  std::string resolve(const std::string& v) const {
    if (v.empty() || v[0] != '$') return v;
    auto x = lookup(v.substr(1));
    return x ? as_text(*x) : "";
  }

  json resolve_vars(const json& vars) const {
    json out = json::object();
    for (const auto& [k, v] : vars.items()) {
      if (v.is_string() && !v.get<std::string>().empty() && v.get<std::string>()[0] == '$') {
        auto x = lookup(v.get<std::string>().substr(1));
        out[k] = x ? *x : json("");
      } else {
        out[k] = v;
      }
    }
    return out;
  }

  bool test(const Condition& c) const {
    const std::optional<json> v = lookup(c.subject);
    auto equal = [&](const json& want) {
      return v && ascii_lower(as_text(*v)) == ascii_lower(as_text(want));
    };
    switch (c.op) {
      case Condition::Op::kExists:
        return v.has_value() == c.value.get<bool>();
      case Condition::Op::kEquals:
        return equal(c.value);
      case Condition::Op::kIn:
        return std::any_of(c.value.begin(), c.value.end(), equal);
      case Condition::Op::kAtLeast:
      case Condition::Op::kAtMost: {
        std::optional<double> x;
        if (v)
          x = as_number(*v);
        else if (c.subject.rfind("score", 0) == 0)
          x = 0;  // a score not yet added to is 0
        if (!x) return false;
        const double want = c.value.get<double>();
        return c.op == Condition::Op::kAtLeast ? *x >= want : *x <= want;
      }
    }
    return false;
  }

  std::string choose(const Node& n) const {
    for (const Case& c : n.cases) {
      if (test(c.when)) return c.next;
    }
    return n.default_next;
  }

  const FlowSet& flows_;
  const Lexicon& lexicon_;
  const EngineOptions& options_;
  Session s_;
  ContactView contact_;
  TimePoint now_;
  std::vector<Effect> fx_;
  bool unclear_ = false;  // this run went on through an ask's fallback
};

}  // namespace

Engine::Engine(const Lexicon& lexicon, EngineOptions options) : lexicon_(lexicon), options_(options) {}

StepResult Engine::start(const FlowSet& flows, const std::string& flow_id, const ContactView& contact,
                         TimePoint now) const {
  Run r(flows, lexicon_, options_, Session{}, contact, now);
  r.start_fresh(flow_id);
  if (!r.session().ended) r.session().expires_at = now + options_.session_ttl;
  return r.finish();
}

StepResult Engine::step(const FlowSet& flows, const Session& session, const ContactView& contact,
                        const Input& input, TimePoint now) const {
  Run r(flows, lexicon_, options_, session, contact, now);
  const bool active = r.resumable();
  std::string restarted_from;
  if (input.crisis && !flows.crisis.empty()) {
    r.enter_crisis(active);
  } else if (const GlobalKeyword* g = r.match_global(input.text)) {
    r.apply_global(*g, active);
  } else if (r.stale()) {
    restarted_from = session.at().flow + "/" + session.at().node;
    r.restart_stale();
  } else if (!active) {
    r.start_fresh(flows.entry);
  } else if (r.wait_due()) {
    r.time_out();
  } else {
    r.answer(input);
  }
  if (!r.session().ended) r.session().expires_at = now + options_.session_ttl;
  StepResult out = r.finish();
  out.restarted_from = std::move(restarted_from);
  return out;
}

StepResult Engine::tick(const FlowSet& flows, const Session& session, const ContactView& contact,
                        TimePoint now) const {
  Run r(flows, lexicon_, options_, session, contact, now);
  if (session.ended) return r.finish();
  if (now >= session.expires_at) {
    r.end("expired");
  } else if (r.resumable() && r.wait_due()) {
    r.time_out();
  }
  return r.finish();
}

}  // namespace gw
