#include "gateway/engine/input_match.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <unordered_map>

namespace gw {

namespace {

icu::UnicodeString to_unicode(std::string_view s) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

std::u32string code_points(std::string_view s) {
  icu::UnicodeString u = to_unicode(s);
  std::u32string out;
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    out.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return out;
}

int osa_distance(const std::u32string& a, const std::u32string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// Whether normalised `in` is normalised `kw`, allowing one edit for long keywords.
bool folded_match(const std::u32string& in, const std::u32string& kw, bool* exact) {
  *exact = false;
  if (kw.empty()) return false;
  if (in == kw) {
    *exact = true;
    return true;
  }
  if (kw.size() < 5) return false;
  const size_t diff = in.size() > kw.size() ? in.size() - kw.size() : kw.size() - in.size();
  return diff <= 1 && osa_distance(in, kw) <= 1;
}

}  // namespace

std::string normalize_input(std::string_view text) {
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* fold = icu::Normalizer2::getNFKCCasefoldInstance(st);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(st);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(st);
  if (U_FAILURE(st)) return std::string(text);
  icu::UnicodeString s = fold->normalize(to_unicode(text), st);
  s = nfd->normalize(s, st);
  if (U_FAILURE(st)) return std::string(text);

  icu::UnicodeString out;
  bool gap = false;
  for (int32_t i = 0; i < s.length();) {
    UChar32 c = s.char32At(i);
    i += U16_LENGTH(c);
    const int8_t type = u_charType(c);
    // Marks and invisible format characters (ZWNJ in Persian words) vanish without a gap;
    // so does the Arabic tatweel, which only stretches a word.
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR || c == 0x0640)
      continue;
    if (type == U_DECIMAL_DIGIT_NUMBER) c = '0' + u_charDigitValue(c);
    const uint32_t mask = U_MASK(u_charType(c));
    const bool keep = (mask & (U_GC_L_MASK | U_GC_N_MASK | U_GC_MC_MASK)) != 0;
    if (!keep) {
      gap = true;
      continue;
    }
    if (gap && !out.isEmpty()) out.append(static_cast<UChar32>(' '));
    gap = false;
    out.append(c);
  }
  out = nfc->normalize(out, st);
  std::string result;
  out.toUTF8String(result);
  return result;
}

int edit_distance(std::string_view a, std::string_view b) {
  return osa_distance(code_points(a), code_points(b));
}

bool keyword_matches(std::string_view input, std::string_view keyword) {
  bool exact = false;
  return folded_match(code_points(normalize_input(input)), code_points(normalize_input(keyword)), &exact);
}

std::optional<int> parse_number(std::string_view text) {
  const std::string n = normalize_input(text);
  if (n.empty() || n.size() > 4) return std::nullopt;
  int v = 0;
  for (char c : n) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

namespace {

// A keyword's normalised code points. Keywords are few and fixed by the content,
// and normalising one takes several ICU passes, while every message is matched
// against them: each is normalised once per process. (Entries never change or
// go, and unordered_map nodes never move, so a returned reference stays valid.)
const std::u32string& normalized_keyword(const std::string& word) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::u32string> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(word);
  if (it == cache.end()) it = cache.emplace(word, code_points(normalize_input(word))).first;
  return it->second;
}

}  // namespace

std::optional<int> best_keyword_match(std::string_view input,
                                      const std::vector<KeywordCandidate>& candidates) {
  const std::u32string in = code_points(normalize_input(input));
  if (in.empty()) return std::nullopt;
  std::set<int> near;
  for (const KeywordCandidate& c : candidates) {
    for (const std::string& w : c.words) {
      bool exact = false;
      if (!folded_match(in, normalized_keyword(w), &exact)) continue;
      if (exact) return c.id;
      near.insert(c.id);
    }
  }
  if (near.size() == 1) return *near.begin();
  return std::nullopt;
}

std::optional<int> match_number(std::string_view text, const Lexicon& lexicon, const std::string& lang,
                                int max) {
  if (auto n = parse_number(text)) {
    if (*n >= 1 && *n <= max) return n;
    return std::nullopt;
  }
  std::vector<KeywordCandidate> words;
  for (int i = 1; i <= std::min(max, 9); ++i) {
    words.push_back({lexicon.keywords("number." + std::to_string(i), lang), i});
  }
  return best_keyword_match(text, words);
}

}  // namespace gw
