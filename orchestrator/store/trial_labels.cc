// Tag and note validation: a UTF-8 decoder that yields code points (or fails on
// overlong forms, surrogates and truncated sequences), and the rules of
// trial_labels.h applied per code point.
#include "orchestrator/store/trial_labels.h"

#include <cstdint>
#include <cstdio>

namespace sweep {
namespace {

// Decodes the code point at s[i], advancing i; false on invalid UTF-8.
bool NextCodePoint(const std::string& s, size_t& i, uint32_t* cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return false;
  uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return false;
    v = (v << 6) | (byte(i + k) & 0x3f);
  }
  static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return false;
  i += len;
  *cp = v;
  return true;
}

bool IsControl(uint32_t cp) { return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f); }

bool IsSpace(uint32_t cp) {
  return cp == ' ' || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
         cp == 0xfeff;
}

// The tag with bytes outside printable ASCII written as \xNN, at most 80 bytes.
std::string Shown(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 80)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return s.size() > 80 ? out + "..." : out;
}

}  // namespace

Status ValidateTag(const std::string& tag) {
  auto bad = [&](const std::string& why) {
    return Status::Usage("invalid tag '" + Shown(tag) + "': " + why +
                         " (a tag is 1 to 64 characters, no whitespace, commas, control "
                         "characters or < > & \" ' `)");
  };
  if (tag.empty()) return bad("it is empty");
  size_t chars = 0;
  for (size_t i = 0; i < tag.size();) {
    uint32_t cp = 0;
    if (!NextCodePoint(tag, i, &cp)) return bad("it is not valid UTF-8");
    if (IsControl(cp)) return bad("it holds a control character");
    if (IsSpace(cp)) return bad("it holds whitespace");
    if (cp == ',') return bad("it holds a comma");
    if (cp == '<' || cp == '>' || cp == '&' || cp == '"' || cp == '\'' || cp == '`') {
      return bad("it holds a markup character");
    }
    ++chars;
  }
  if (chars > kMaxTagChars) return bad("it is longer than 64 characters");
  return Status::Ok();
}

Status ValidateTags(const std::vector<std::string>& tags) {
  if (tags.empty()) return Status::Usage("give at least one tag");
  if (tags.size() > kMaxTagsPerRequest) return Status::Usage("give at most 100 tags at once");
  for (const std::string& t : tags) {
    if (Status s = ValidateTag(t); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ValidateNote(const std::string& text) {
  if (text.size() > kMaxNoteBytes) {
    return Status::Usage("a note is at most 10000 bytes (this one has " +
                         std::to_string(text.size()) + ")");
  }
  bool blank = true;
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    if (!NextCodePoint(text, i, &cp)) return Status::Usage("a note must be valid UTF-8");
    if (IsControl(cp) && cp != '\t' && cp != '\n' && cp != '\r') {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
      return Status::Usage(std::string("a note must not hold control characters (found ") + code +
                           ")");
    }
    if (!IsSpace(cp) && cp != '\t' && cp != '\n' && cp != '\r') blank = false;
  }
  if (blank) return Status::Usage("a note needs some text");
  return Status::Ok();
}

}  // namespace sweep
