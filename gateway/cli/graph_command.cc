#include "gateway/cli/graph_command.h"

#include <algorithm>
#include <filesystem>

#include "gateway/cli/commands.h"
#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/content/flow_graph.h"
#include "gateway/content/renderer.h"

namespace gw::cli {

namespace {

// The first line of a load error, pointing at `gateway check` when it listed more.
std::string first_line(const std::string& message) {
  const size_t nl = message.find('\n');
  if (nl == std::string::npos) return message;
  return message.substr(0, nl) + " (gateway check lists every problem)";
}

}  // namespace

int run_content_graph(const GraphOptions& options, std::ostream& out, std::ostream& err) {
  auto fail = [&err](const std::string& message) {
    err << "gateway content graph: " << message << "\n";
    return kExitFailure;
  };
  auto flows = load_flows((std::filesystem::path(options.content_dir) / "flows").string());
  if (!flows) return fail(first_line(flows.error().message));
  const Flow* flow = flows->find(options.flow);
  if (!flow) {
    return fail("no flow \"" + options.flow + "\" in " +
                (std::filesystem::path(options.content_dir) / "flows").string());
  }
  auto content = load_content(options.content_dir);
  if (!content) return fail(first_line(content.error().message));

  RenderOptions render_options;
  render_options.log_failures = false;
  const Renderer renderer(std::move(*content), LanguagePolicy(), render_options);
  const std::string& source = renderer.policy().source_language();
  const std::string lang = options.lang.empty() ? source : options.lang;
  const std::vector<std::string> languages = renderer.languages();
  if (std::find(languages.begin(), languages.end(), lang) == languages.end()) {
    std::string known;
    for (const std::string& l : languages) known += (known.empty() ? "" : ", ") + l;
    return fail("no translations for language \"" + lang + "\" (there are: " + known + ")");
  }

  FlowGraphText text;
  const TemplateCatalog& templates = renderer.content().templates;
  text.text = [&](const std::string& key) -> std::string {
    const Template* t = templates.find(key);
    if (lang == source) return t ? t->text : "";
    // As a person would read it; a text that needs values the diagram does not
    // have (e.g. {country}) is shown as its translation's source, unformatted.
    if (auto r = renderer.render(key, lang, "web")) return r->text;
    const auto po = renderer.content().translations.find(lang);
    if (po != renderer.content().translations.end()) {
      const PoEntry* e = po->second.find(key);
      if (e && !e->msgstr.empty()) return e->msgstr;
    }
    return t ? t->text : "";
  };
  auto svg = flow_graph_svg(*flow, text);
  if (!svg) return fail(svg.error().message);
  out << *svg;
  return kExitOk;
}

}  // namespace gw::cli
