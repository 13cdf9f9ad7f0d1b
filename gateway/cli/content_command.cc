#include "gateway/cli/content_command.h"

#include <filesystem>
#include <set>

#include "gateway/cli/commands.h"
#include "gateway/cli/configured_store.h"
#include "gateway/content/content_dir.h"
#include "gateway/content/content_files.h"
#include "gateway/core/log.h"
#include "gateway/studio/content_library.h"

namespace gw::cli {
namespace {

int fail(std::ostream& err, const std::string& what, const std::string& message) {
  err << "gateway content " << what << ": " << message << "\n";
  return kExitFailure;
}

// The store and the content library of the configured gateway.
struct Opened {
  std::unique_ptr<Store> store;
  std::unique_ptr<ContentLibrary> library;
};

Result<Opened> open_library(const std::string& config_path, Clock& clock) {
  auto cfg = load_config(config_path);
  if (!cfg) return cfg.error();
  auto store = open_configured_store(config_path, clock);
  if (!store) return store.error();
  ContentLibraryOptions options;
  options.files_dir = cfg->content_dir;
  options.load.entry_flow = cfg->conversation.entry_flow;
  auto library = ContentLibrary::open(**store, clock, options);
  if (!library) {
    (void)(*store)->close();
    return library.error();
  }
  return Opened{std::move(*store), std::move(*library)};
}

}  // namespace

int run_content_export(const std::string& dir, const std::string& config_path, std::ostream& out,
                       std::ostream& err) {
  log::init(log::Level::kWarn);
  SystemClock clock;
  auto opened = open_library(config_path, clock);
  if (!opened) return fail(err, "export", opened.error().message);
  std::shared_ptr<const ContentFiles> files = opened->library->published_files();
  const int64_t version = opened->library->published_version();
  (void)opened->store->close();
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(err, "export", dir + ": " + ec.message());
  if (Status s = write_content_files(*files, dir); !s) return fail(err, "export", s.error().message);
  // Files the version does not have are removed, so the folders hold exactly it.
  auto existing = read_content_files(dir);
  int removed = 0;
  if (existing) {
    for (const auto& [path, bytes] : *existing) {
      if (files->count(path)) continue;
      if (fs::remove(fs::path(dir) / path, ec)) ++removed;
    }
  }
  out << "content export: version " << version << ", " << files->size() << " files written to " << dir;
  if (removed > 0) out << ", " << removed << " removed";
  out << "\n";
  return kExitOk;
}

int run_content_import(const std::string& dir, const std::string& config_path, std::ostream& out,
                       std::ostream& err) {
  log::init(log::Level::kWarn);
  if (Status s = check_content_dir(dir); !s) return fail(err, "import", s.error().message);
  auto files = read_content_files(dir);
  if (!files) return fail(err, "import", files.error().message);
  SystemClock clock;
  auto opened = open_library(config_path, clock);
  if (!opened) return fail(err, "import", opened.error().message);
  Editor who;
  who.username = "command line";
  auto imported = opened->library->import_files(*files, who);
  (void)opened->store->close();
  if (!imported) return fail(err, "import", imported.error().message);
  out << "content import: " << *imported << (*imported == 1 ? " entry" : " entries") << " of " << dir
      << " put into the draft; review and publish them in the studio (/studio/)\n";
  return kExitOk;
}

}  // namespace gw::cli
