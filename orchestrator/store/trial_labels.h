// The one rule for what a tag or a note may hold, shared by `sweep tag` / `sweep note`
// and the dashboard's POST /api/trials/{id}/tags and /notes, so that neither accepts
// what the other refuses.
//
// A tag is a short word that lists, filters and `sweep export` print inline and
// separate with commas or spaces: 1 to 64 characters of valid UTF-8, no whitespace,
// no comma, no control character (C0, DEL, C1) and none of < > & " ' ` (so a tag is
// never markup in any page or report that shows it). A note is free text: 1 to
// 10,000 bytes of valid UTF-8, not only whitespace, no control character other than
// tab, newline and carriage return. Markup in a note is kept as text; every reader
// escapes it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"

namespace sweep {

inline constexpr size_t kMaxTagChars = 64;
inline constexpr size_t kMaxTagsPerRequest = 100;
inline constexpr size_t kMaxNoteBytes = 10000;

// Ok, or kUsage naming the tag (its bytes escaped, so the message is printable) and
// the rule it breaks.
Status ValidateTag(const std::string& tag);

// Every tag valid, 1 to kMaxTagsPerRequest of them; the first failure is returned.
Status ValidateTags(const std::vector<std::string>& tags);

// Ok, or kUsage saying what is wrong with the note (it is not echoed: it may be long).
Status ValidateNote(const std::string& text);

}  // namespace sweep
