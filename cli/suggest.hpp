// What to say about a word that is not a keyword: FreeBSD ifconfig words that
// mean something else here (or nothing, on Linux) get a sentence of their own;
// other words get the closest keywords by edit distance ("did you mean ...?").
// Pure, so the unit tests check every message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ifctl::cli {

// The sentence for a known foreign word, or empty.
std::string_view foreign_word_hint(std::string_view word);

// The candidates nearest to `word` (at most two edits, one for short words),
// all at the same distance, at most three, in the candidates' order.
std::vector<std::string_view> closest_words(std::string_view word, const std::vector<std::string_view>& candidates);

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of two neighbours each count one.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace ifctl::cli
