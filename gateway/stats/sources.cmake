target_sources(gateway_core PRIVATE
  gateway/stats/iso_week.cc
  gateway/stats/stat_keys.cc
  gateway/stats/stats_format.cc
  gateway/stats/stats_query.cc
  gateway/stats/stats_report.cc
)
