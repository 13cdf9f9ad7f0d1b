#include "gateway/cli/commands.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "gateway/cli/backup_command.h"
#include "gateway/cli/check_command.h"
#include "gateway/cli/content_command.h"
#include "gateway/cli/db_copy_command.h"
#include "gateway/cli/graph_command.h"
#include "gateway/cli/keys_command.h"
#include "gateway/cli/segments_command.h"
#include "gateway/cli/serve_command.h"
#include "gateway/cli/simulate_command.h"
#include "gateway/cli/stats_command.h"
#include "gateway/cli/stats_export_command.h"
#include "gateway/cli/user_command.h"
#include "gateway/config/default_content_dir.h"

namespace gw::cli {
int run(int argc, char** argv) {
  CLI::App app{"Helpline gateway: SMS, WhatsApp and Telegram conversations with flows and operators",
               "gateway"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show the help of every command");

  ServeOptions serve_opts;
  auto* serve = app.add_subcommand("serve", "Run the gateway (HTTP webhooks, workers, console)");
  serve->add_option("--config", serve_opts.config_path,
                    "JSON configuration file (default: the embedded default: SQLite under ./data, "
                    "the shipped content, the browser simulator, 127.0.0.1:8080)");

  std::string content_dir = default_content_dir();
  auto* check = app.add_subcommand("check", "Validate flows, templates and translations");
  check->add_option("--content", content_dir,
                    "Content directory (holding flows/, templates/, translations/; default: the "
                    "installed content, or the source tree of a build)");

  auto* content = app.add_subcommand("content", "Content tools: extract, stats, export and import");
  content->require_subcommand(1);
  auto* extract = content->add_subcommand(
      "extract", "Regenerate translations/messages.pot from templates/ and merge it into every PO file");
  extract->add_option("--content", content_dir,
                      "Content directory (holding flows/, templates/, translations/)");
  auto* stats = content->add_subcommand(
      "stats", "Per language: translated %, fuzzy % and the longest SMS in segments, as a Markdown table");
  stats->add_option("--content", content_dir,
                    "Content directory (holding flows/, templates/, translations/)");

  std::string content_path, content_config;
  auto* export_cmd = content->add_subcommand(
      "export", "Write the published content as DIR/flows/, DIR/templates/, DIR/translations/");
  export_cmd->add_option("DIR", content_path, "Where to write it")->required();
  export_cmd->add_option("--config", content_config,
                         "JSON configuration file (default: the embedded default)");
  auto* import_cmd = content->add_subcommand("import", "Make a draft in the studio from DIR's content files");
  import_cmd->add_option("DIR", content_path, "A content directory (flows/, templates/, translations/)")
      ->required();
  import_cmd->add_option("--config", content_config,
                         "JSON configuration file (default: the embedded default)");
  GraphOptions graph_opts;
  auto* graph =
      content->add_subcommand("graph", "Print the SVG diagram of flow FLOW: its nodes, messages and exits");
  graph->add_option("FLOW", graph_opts.flow, "The flow's id (flows/FLOW.json)")->required();
  graph->add_option("--content", content_dir,
                    "Content directory (holding flows/, templates/, translations/)");
  graph->add_option("--lang", graph_opts.lang, "Language of the texts (default: the source language, en)");

  std::string lang, from, channel = "sms";
  bool sim_json = false;
  auto* simulate =
      app.add_subcommand("simulate", "Talk to the flows in the terminal: one message a line on stdin");
  simulate->add_option("--lang", lang, "The person's language (e.g. ar, fa, uk)");
  simulate->add_option("--from", from, "Who is texting (e.g. +447700900123)");
  simulate->add_option("--channel", channel, "sms, whatsapp or telegram")
      ->check(CLI::IsMember({"sms", "whatsapp", "telegram"}));
  simulate->add_flag("--json", sim_json, "Print JSON Lines, one object a message sent");
  simulate->add_option("--content", content_dir, "Content directory");

  std::string text;
  bool seg_json = false;
  auto* segments = app.add_subcommand("segments", "Show the SMS encoding and segment count of TEXT");
  segments->add_option("TEXT", text, "The message text")->required();
  segments->add_flag("--json", seg_json, "Print one JSON object");

  UserCommandOptions user_opts;
  auto* user = app.add_subcommand("user", "Staff accounts of the operator console");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Create an account; prints its one-time password once");
  user_add->add_option("USERNAME", user_opts.username, "Login name")->required();
  user_add->add_option("--role", user_opts.role, "operator, supervisor, editor or admin")->required();
  user_add->add_option("--languages", user_opts.languages, "Languages the operator answers in, e.g. ar,en");
  user_add->add_option("--queues", user_opts.queues, "Queues the operator serves, e.g. general,urgent");
  user_add->add_flag("--reviewer", user_opts.reviewer,
                     "An editor who may also publish content in the studio");
  user_add->add_option("--capacity", user_opts.capacity,
                       "Conversations the operator takes at once (default 3)");
  auto* user_disable = user->add_subcommand("disable", "Disable an account; its sessions end");
  user_disable->add_option("USERNAME", user_opts.username, "Login name")->required();
  auto* user_reset = user->add_subcommand("reset-password", "Give an account a new one-time password");
  user_reset->add_option("USERNAME", user_opts.username, "Login name")->required();
  for (auto* sub : {user_add, user_disable, user_reset})
    sub->add_option("--config", user_opts.config_path,
                    "JSON configuration file (default: the embedded default)");

  auto* stats_app = app.add_subcommand("stats", "Anonymised statistics, small counts suppressed");
  stats_app->require_subcommand(1);
  std::vector<std::string> merge_files;
  int merge_min_cell = 11;
  std::string merge_format = "json";
  auto* stats_merge = stats_app->add_subcommand(
      "merge", "Merge JSON exports of the same weeks (e.g. of partner organisations) into one report");
  stats_merge->add_option("FILES", merge_files, "JSON files written by `gateway stats export --format json`")
      ->required();
  stats_merge->add_option(
      "--min-cell", merge_min_cell,
      "Hide counts from 1 to N-1 (default 11, at least 5; the files' own is kept if larger)");
  stats_merge->add_option("--format", merge_format, "json (default) or csv")
      ->check(CLI::IsMember({"csv", "json"}));

  StatsExportOptions export_opts;
  auto* stats_export = stats_app->add_subcommand(
      "export", "Print the statistics of a period (small counts suppressed) as CSV or JSON");
  stats_export->add_option("--from", export_opts.from,
                           "First week (2026-W40) or a date in it (default: 11 weeks before --to)");
  stats_export->add_option("--to", export_opts.to,
                           "Last week (2026-W49) or a date in it (default: this week)");
  stats_export->add_option("--country", export_opts.country,
                           "One country (a code of stats.countries, other or unknown; default: all)");
  stats_export->add_option("--format", export_opts.format, "csv (default) or json")
      ->check(CLI::IsMember({"csv", "json"}));
  stats_export->add_option("--config", export_opts.config_path,
                           "JSON configuration file (default: the embedded default)");

  DbCopyOptions copy_opts;
  auto* db = app.add_subcommand("db", "Database tools");
  db->require_subcommand(1);
  auto* db_copy = db->add_subcommand(
      "copy", "Copy a SQLite deployment into an empty PostgreSQL database (stop the gateway first)");
  db_copy
      ->add_option("--to", copy_opts.to,
                   "The PostgreSQL database: a libpq URI, or env:NAME to read it from NAME")
      ->required();
  db_copy->add_option("--config", copy_opts.config_path,
                      "JSON configuration file of the SQLite gateway (default: the embedded default)");

  BackupOptions backup_opts;
  auto* backup = app.add_subcommand(
      "backup", "Copy the SQLite database and intake into FILE while the gateway serves (never the keys)");
  backup->add_option("FILE", backup_opts.file, "The backup file to create (never replaced)")->required();
  backup->add_option("--config", backup_opts.config_path,
                     "JSON configuration file (default: the embedded default)");
  auto* restore = app.add_subcommand(
      "restore", "Replace the SQLite database and intake with backup FILE (stop the gateway first)");
  restore->add_option("FILE", backup_opts.file, "A file made by gateway backup")->required();
  restore->add_option("--config", backup_opts.config_path,
                      "JSON configuration file (default: the embedded default)");

  KeysOptions keys_opts;
  auto* keys = app.add_subcommand("keys", "Encryption keys: rotate them, or show which key seals what");
  keys->require_subcommand(1);
  auto* keys_rotate = keys->add_subcommand(
      "rotate", "Re-seal every stored value with a new data key while the gateway serves (resumable)");
  keys_rotate->add_option("--config", keys_opts.config_path,
                          "JSON configuration file (default: the embedded default)");
  keys_rotate->add_flag("--index", keys_opts.index,
                        "Rotate the index key too and rebuild the contact index with it");
  keys_rotate->add_option("--batch", keys_opts.batch, "Values re-sealed per transaction (default 500)");
  keys_rotate->add_option("--pause", keys_opts.pause_ms,
                          "Milliseconds to wait between batches, to spare a busy database (default 0)");
  keys_rotate->add_option("--wait", keys_opts.wait_s,
                          "Seconds to wait for the serving processes to take the new keys (default 60)");
  auto* keys_status = keys->add_subcommand("status", "The keys, how many values each seals, any rotation");
  keys_status->add_option("--config", keys_opts.config_path,
                          "JSON configuration file (default: the embedded default)");

  auto* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    if (msg.find('\n') != std::string::npos) msg = msg.substr(0, msg.find('\n'));
    std::cerr << "gateway: " << msg << " (see 'gateway --help')\n";
    return kExitUsage;
  }

  if (*serve) return run_serve(serve_opts);
  if (*check) return run_check(content_dir, std::cout, std::cerr);
  if (*extract) return run_content_extract(content_dir, std::cout, std::cerr);
  if (*stats) return run_content_stats(content_dir, std::cout, std::cerr);
  if (*export_cmd) return run_content_export(content_path, content_config, std::cout, std::cerr);
  if (*import_cmd) return run_content_import(content_path, content_config, std::cout, std::cerr);
  if (*graph) {
    graph_opts.content_dir = content_dir;
    return run_content_graph(graph_opts, std::cout, std::cerr);
  }
  if (*simulate) {
    SimulateOptions so;
    so.content_dir = content_dir;
    so.lang = lang;
    so.from = from;
    so.channel = channel;
    so.json = sim_json;
    return run_simulate(so, std::cin, std::cout, std::cerr);
  }
  if (*segments) return run_segments(text, seg_json, std::cout);
  if (*user) {
    user_opts.action = *user_add ? "add" : *user_disable ? "disable" : "reset-password";
    return run_user(user_opts, std::cout, std::cerr);
  }
  if (*stats_export) return run_stats_export(export_opts, std::cout, std::cerr);
  if (*stats_merge) return run_stats_merge(merge_files, merge_min_cell, merge_format, std::cout, std::cerr);
  if (*db_copy) return run_db_copy(copy_opts, std::cout, std::cerr);
  if (*backup) return run_backup(backup_opts, std::cout, std::cerr);
  if (*restore) return run_restore(backup_opts, std::cout, std::cerr);
  if (*keys_rotate) return run_keys_rotate(keys_opts, std::cout, std::cerr);
  if (*keys_status) return run_keys_status(keys_opts, std::cout, std::cerr);
  if (*version) {
    std::cout << "gateway " << GATEWAY_VERSION << "\n";
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace gw::cli
