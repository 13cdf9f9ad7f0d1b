// The worked example of docs/statistics.md ("Merging exports"): three exports
// of the same two weeks and what `gateway stats merge --min-cell 15` makes of
// them. Keep the two in step.
#pragma once

namespace gw::testing {

inline constexpr const char* kExampleExportA = R"({
  "format": "helpline-gateway-stats", "version": 1,
  "from": "2026-W48", "to": "2026-W49", "country": "GB",
  "min_cell": 11, "suppressed": "<11",
  "weeks": ["2026-W48", "2026-W49"],
  "tables": [{"metric": "conversations.language", "title": "Conversations started, by language",
              "rows": [{"value": "ar", "weeks": [12, "<11"], "total": "<11"},
                       {"value": "en", "weeks": [25, 14], "total": 39},
                       {"value": "uk", "weeks": [0, "<11"], "total": "<11"}],
              "total": {"weeks": [37, 28], "total": 65}}]
})";

inline constexpr const char* kExampleExportB = R"({
  "format": "helpline-gateway-stats", "version": 1,
  "from": "2026-W48", "to": "2026-W49", "country": "IT",
  "min_cell": 11, "suppressed": "<11",
  "weeks": ["2026-W48", "2026-W49"],
  "tables": [{"metric": "conversations.language", "title": "Conversations started, by language",
              "rows": [{"value": "ar", "weeks": [15, "<11"], "total": "<11"},
                       {"value": "ti", "weeks": [0, "<11"], "total": "<11"}],
              "total": {"weeks": [15, 24], "total": 39}}]
})";

inline constexpr const char* kExampleExportC = R"({
  "format": "helpline-gateway-stats", "version": 1,
  "from": "2026-W48", "to": "2026-W49", "country": "GB",
  "min_cell": 11, "suppressed": "<11",
  "weeks": ["2026-W48", "2026-W49"],
  "tables": [{"metric": "conversations.language", "title": "Conversations started, by language",
              "rows": [{"value": "en", "weeks": [30, 0], "total": 30},
                       {"value": "uk", "weeks": [12, 16], "total": 28}],
              "total": {"weeks": [42, 16], "total": 58}}]
})";

// `gateway stats merge A.json B.json C.json --min-cell 15`
inline constexpr const char* kExampleMerged = R"({
  "format": "helpline-gateway-stats", "version": 1,
  "from": "2026-W48", "to": "2026-W49", "country": "all",
  "min_cell": 15, "suppressed": "<15",
  "weeks": ["2026-W48", "2026-W49"],
  "tables": [{"metric": "conversations.language", "title": "Conversations started, by language",
              "rows": [{"value": "ar", "weeks": ["<15", "<15"], "total": "<15"},
                       {"value": "en", "weeks": [55, "<15"], "total": "<15"},
                       {"value": "ti", "weeks": [0, "<15"], "total": "<15"},
                       {"value": "uk", "weeks": ["<15", "<15"], "total": "<15"}],
              "total": {"weeks": [94, 68], "total": 162}}]
})";

}  // namespace gw::testing
