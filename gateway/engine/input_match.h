// Input matching: how a person's reply is compared with what a flow expects.
//
// Replies come from cheap phones and many scripts, so matching forgives: case
// and diacritics are folded, every Unicode decimal digit (Arabic-Indic ١,
// Persian ۱, fullwidth １, Devanagari …) reads as an ASCII digit, punctuation and
// spacing around or between words are noise, and a keyword of five letters or
// more tolerates one typo (insertion, deletion, substitution or swap of two
// neighbours, counted in code points). Arabic letters stay letters: only marks
// (harakat, hamza above/below, shadda) and the tatweel are dropped. Standalone:
// used by the engine and by the shell's own keyword handling.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/engine/lexicon.h"

namespace gw {

// `text` folded for comparison: NFKC with case folding, marks removed (NFD, drop
// Mn, NFC), decimal digits of any script as ASCII, and every run of punctuation,
// symbols and spaces turned into one space, none at either end.
//   "  2. " → "2", "(٢)" → "2", "Éducation!" → "education", "نَعَم" → "نعم"
std::string normalize_input(std::string_view text);

// Damerau-Levenshtein distance (optimal string alignment) in code points.
int edit_distance(std::string_view a, std::string_view b);

// True when `input` is `keyword` after normalising both: exactly, or within one
// edit when the normalised keyword has five code points or more.
bool keyword_matches(std::string_view input, std::string_view keyword);

// The number the whole message is written as ("3", " 3. ", "(٣)", "３"), or
// nullopt. Only up to four digits are read.
std::optional<int> parse_number(std::string_view text);

// One candidate for best_keyword_match: its words and what a match means.
struct KeywordCandidate {
  std::vector<std::string> words;
  int id = 0;
};

// The id of the candidate whose word the input is. An exact (normalised) match
// wins; otherwise a typo match counts only if it points at one candidate alone.
std::optional<int> best_keyword_match(std::string_view input,
                                      const std::vector<KeywordCandidate>& candidates);

// The number 1..`max` that `text` is, as digits or as a number word translators
// gave in the templates number.1 … number.9 (via `lexicon`, for `lang`).
std::optional<int> match_number(std::string_view text, const Lexicon& lexicon, const std::string& lang,
                                int max);

}  // namespace gw
