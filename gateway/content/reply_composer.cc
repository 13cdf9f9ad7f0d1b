#include "gateway/content/reply_composer.h"

#include "gateway/content/icu_message.h"

namespace gw {

ReplyComposer::ReplyComposer(const TemplateCatalog& catalog, const Renderer* renderer)
    : catalog_(catalog), renderer_(renderer) {}

std::string ReplyComposer::source_language() const {
  return renderer_ ? renderer_->policy().source_language() : "en";
}

std::string ReplyComposer::answer_language(const std::string& chosen, const std::string& hint) const {
  if (!chosen.empty()) return chosen;
  if (!hint.empty()) return hint;
  return source_language();
}

ComposedText ReplyComposer::compose(const std::string& key, const std::string& lang,
                                    const std::string& channel, const nlohmann::json& vars) const {
  if (renderer_) {
    auto r = renderer_->render(key, lang, channel, vars);
    if (r) return {std::move(r->text), key, std::move(r->language)};
  }
  const std::string source = catalog_.text(key);
  const std::string source_lang = source_language();
  auto formatted = format_message(source, source_lang, vars);
  return {formatted ? std::move(*formatted) : source, key, source_lang};
}

ComposedText ReplyComposer::compose(const std::string& key, const nlohmann::json& vars,
                                    const std::vector<std::string>& choices, const std::string& lang,
                                    const std::string& channel) const {
  ComposedText out = compose(key, lang, channel, vars);
  for (size_t i = 0; i < choices.size(); ++i) {
    out.text += '\n';
    out.text += std::to_string(i + 1);
    out.text += ". ";
    out.text += compose(choices[i], lang, channel).text;
  }
  return out;
}

}  // namespace gw
