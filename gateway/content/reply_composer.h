// ReplyComposer: the one way a message to a person is put into words — a bot
// reply, a flow's Say with its numbered choices, a helpdesk notice — so that
// the gateway, the simulator and the helpdesk send the same text for the same
// template, language and channel.
//
// The one fallback rule: the Renderer's text (which already walks the
// person's language chain down to the source language); when there is no
// Renderer or it cannot render the key (unknown key, a source text that does
// not format with the variables), the catalogue's source text formatted with
// the variables in the source language; when even that fails, the source text
// as it is (the key itself when the catalogue has none), so a message is never
// empty.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/content/renderer.h"
#include "gateway/content/template_catalog.h"

namespace gw {

struct ComposedText {
  std::string text;
  std::string key;       // the template key (of the prompt, for a Say)
  std::string language;  // the language actually used
};

class ReplyComposer {
 public:
  // `renderer` may be null. Both must outlive the composer.
  ReplyComposer(const TemplateCatalog& catalog, const Renderer* renderer);

  // The language the content is written in ("en" without a renderer).
  std::string source_language() const;
  // The language to answer in: the person's `chosen` one, else `hint` (e.g. the
  // language of the keyword they wrote), else the source language.
  std::string answer_language(const std::string& chosen, const std::string& hint = "") const;

  // Template `key` with `vars`, in `lang`, for `channel` ("sms", "whatsapp",
  // "telegram", "web").
  ComposedText compose(const std::string& key, const std::string& lang, const std::string& channel,
                       const nlohmann::json& vars = nlohmann::json::object()) const;
  // A prompt and its choices: the prompt, then one "\nN. label" line per choice
  // label key, numbered from 1, each label composed by the same rule.
  ComposedText compose(const std::string& key, const nlohmann::json& vars,
                       const std::vector<std::string>& choices, const std::string& lang,
                       const std::string& channel) const;

 private:
  const TemplateCatalog& catalog_;
  const Renderer* renderer_;
};

}  // namespace gw
