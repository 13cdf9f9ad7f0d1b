target_sources(gateway_core PRIVATE
  gateway/conversations/keywords.cc
  gateway/conversations/conversations.cc
  gateway/conversations/conversations_intake.cc
  gateway/conversations/flow_effects.cc
  gateway/conversations/intake_worker.cc
  gateway/conversations/simulator.cc
  gateway/conversations/simulator_content.cc
)
