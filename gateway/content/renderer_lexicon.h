// RendererLexicon: the engine's Lexicon (the words of a keyword list in a
// language) read from the loaded translations, so that "نعم", "oui" and "так"
// match "yes". The one adapter between content and the engine, used by serve,
// the simulator and the tests.
#pragma once

#include <string>
#include <vector>

#include "gateway/content/renderer.h"
#include "gateway/engine/lexicon.h"

namespace gw {

class RendererLexicon final : public Lexicon {
 public:
  // `renderer` must outlive the lexicon.
  explicit RendererLexicon(const Renderer& renderer) : renderer_(renderer) {}
  std::vector<std::string> keywords(const std::string& key, const std::string& language) const override {
    return renderer_.keywords(key, language);
  }

 private:
  const Renderer& renderer_;
};

}  // namespace gw
