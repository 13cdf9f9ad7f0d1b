target_sources(gateway_core PRIVATE
  gateway/cli/commands.cc
  gateway/cli/configured_store.cc
  gateway/cli/check_command.cc
  gateway/cli/content_command.cc
  gateway/cli/db_copy_command.cc
  gateway/cli/backup_command.cc
  gateway/cli/stats_export_command.cc
  gateway/cli/simulate_command.cc
  gateway/cli/graph_command.cc
  gateway/cli/serve_command.cc
  gateway/cli/user_command.cc
  gateway/cli/segments_command.cc
  gateway/cli/stats_command.cc
  gateway/cli/shutdown_signals.cc
  gateway/cli/service_notify.cc
)
