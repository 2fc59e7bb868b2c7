// Internal to the store: the full-text tokenizer.
#pragma once

#include <sqlite3.h>

#include <string>

#include "common/status.h"

namespace storyline {

// Registers the FTS5 tokenizer "storyline" on a connection: SQLite's
// unicode61 (case folded, diacritics removed: é -> e, å -> a) plus the Latin
// letters that have no decomposition: ø -> o, æ -> ae, œ -> oe, ß -> ss,
// đ/ð -> d, þ -> th, ł -> l, ı -> i, ħ -> h, ŧ -> t. So `møte` and `mote`
// find each other. Offsets are those of the original text, so snippets and
// highlights show the text as it was written.
Status RegisterFoldTokenizer(sqlite3* db);

// The letters above, folded in a lower-cased token (exposed for tests).
std::string FoldToken(const std::string& token);

}  // namespace storyline
