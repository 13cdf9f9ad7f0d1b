// Discretion on the lock screen: a locked phone shows the first two to four
// lines of a message to whoever holds it. No message may name trafficking,
// slavery, exploitation, sexual abuse, the police or escape in its first
// kLockScreenChars characters, in any language.
//
// The words are a keyword template (check.sensitive): the English list plus
// each language's own, case-folded, matched at the start of a word, so that a
// stem ("polic") covers every ending ("policija", "policiju") while a word that
// merely contains one ("ایمرجنسی", emergency, holds "جنسی") does not count.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gw {

inline constexpr const char* kSensitiveWordsTemplate = "check.sensitive";
inline constexpr int kLockScreenChars = 90;

// The lock-screen part of `text`: its first kLockScreenChars code points,
// case-folded (ICU, full folding) and NFKC-normalised.
std::string lock_screen_part(const std::string& text);

// The first of `words` that starts a word in the lock-screen part of `text`,
// as written in `words`; nullopt when none does. Empty words are ignored.
std::optional<std::string> sensitive_word_in(const std::string& text, const std::vector<std::string>& words);

}  // namespace gw
