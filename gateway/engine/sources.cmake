target_sources(gateway_core PRIVATE
  gateway/engine/flow.cc
  gateway/engine/flow_parser.cc
  gateway/engine/flow_check.cc
  gateway/engine/stat_tag.cc
  gateway/engine/session.cc
  gateway/engine/effect.cc
  gateway/engine/input_match.cc
  gateway/engine/engine.cc
)
