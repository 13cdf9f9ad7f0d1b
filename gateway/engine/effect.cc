#include "gateway/engine/effect.h"

namespace gw {

nlohmann::json effect_to_json(const Effect& e) {
  using nlohmann::json;
  struct Visitor {
    json operator()(const effect::Say& s) const {
      return {{"effect", "say"}, {"template", s.template_key}, {"vars", s.vars}, {"choices", s.choices}};
    }
    json operator()(const effect::SetLanguage& s) const {
      return {{"effect", "set_language"}, {"lang", s.lang}};
    }
    json operator()(const effect::SetField& s) const {
      return {{"effect", "set_field"}, {"name", s.name}, {"value", s.value}};
    }
    json operator()(const effect::RecordResult& r) const {
      return {{"effect", "record_result"}, {"name", r.name}, {"value", r.value}};
    }
    json operator()(const effect::Handover& h) const {
      return {{"effect", "handover"},
              {"queue", h.queue},
              {"priority", h.priority},
              {"note", h.note},
              {"vars", h.vars}};
    }
    json operator()(const effect::Erase&) const { return {{"effect", "erase"}}; }
    json operator()(const effect::End& x) const { return {{"effect", "end"}, {"reason", x.reason}}; }
    json operator()(const effect::Error& x) const { return {{"effect", "error"}, {"message", x.message}}; }
    json operator()(const effect::Stat& x) const {
      return {{"effect", "stat"}, {"metric", x.metric}, {"value", x.value}};
    }
  };
  return std::visit(Visitor{}, e);
}

}  // namespace gw
