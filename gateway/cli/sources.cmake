target_sources(gateway_core PRIVATE
  gateway/cli/commands.cc
  gateway/cli/serve_command.cc
)
