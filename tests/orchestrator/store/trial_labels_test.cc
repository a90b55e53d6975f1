// The shared tag and note rule (what `sweep tag`/`note` and the dashboard accept).
#include "orchestrator/store/trial_labels.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

TEST(TrialLabels, TagsAreShortWordsWithoutSeparatorsControlsOrMarkup) {
  for (const std::string& ok :
       std::vector<std::string>{"keep", "baseline-v2", "lr:1e-3", "größe", "日本語", "a_b.c/d+e=f",
                                std::string(64, 'x'), std::string("é") + std::string(63, 'e')}) {
    EXPECT_TRUE(ValidateTag(ok).ok()) << ok << ": " << ValidateTag(ok).message();
  }
  struct Case {
    std::string tag;
    const char* why;
  };
  for (const Case& c : std::vector<Case>{{"", "empty"},
                                         {" ", "whitespace"},
                                         {"a b", "whitespace"},
                                         {"a\tb", "control"},
                                         {"a\xc2\xa0z", "whitespace"},  // no-break space
                                         {"a,b", "comma"},
                                         {std::string("a\0b", 3), "control"},
                                         {"a\x7f", "control"},
                                         {"a\xc2\x85", "control"},  // C1 NEL
                                         {"<b>", "markup"},
                                         {"a&b", "markup"},
                                         {"\"q\"", "markup"},
                                         {"it's", "markup"},
                                         {"`x`", "markup"},
                                         {"\xff\xfe", "UTF-8"},
                                         {"\xc0\xaf", "UTF-8"},      // overlong '/'
                                         {"\xed\xa0\x80", "UTF-8"},  // a surrogate
                                         {"abc\xe2\x82", "UTF-8"},   // truncated
                                         {std::string(65, 'x'), "longer than 64"}}) {
    Status s = ValidateTag(c.tag);
    ASSERT_FALSE(s.ok()) << c.tag;
    EXPECT_EQ(s.code(), ErrorCode::kUsage);
    EXPECT_NE(s.message().find(c.why), std::string::npos) << s.message();
    // The message is printable whatever the tag held.
    for (char ch : s.message()) EXPECT_TRUE(ch >= 0x20 && ch < 0x7f) << s.message();
  }
}

TEST(TrialLabels, TagListsAreOneToAHundred) {
  EXPECT_FALSE(ValidateTags({}).ok());
  EXPECT_TRUE(ValidateTags({"a", "b"}).ok());
  EXPECT_FALSE(ValidateTags(std::vector<std::string>(101, "a")).ok());
  Status s = ValidateTags({"good", "a,b"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'a,b'"), std::string::npos);
}

TEST(TrialLabels, NotesAreTextWithLinesButNoOtherControls) {
  EXPECT_TRUE(ValidateNote("looks overfit").ok());
  EXPECT_TRUE(ValidateNote("line 1\r\nline 2\twith <b>markup</b> & \"quotes\"").ok());
  EXPECT_TRUE(ValidateNote(std::string(10000, 'n')).ok());
  EXPECT_NE(ValidateNote("").message().find("needs some text"), std::string::npos);
  EXPECT_NE(ValidateNote(" \n\t\xc2\xa0").message().find("needs some text"), std::string::npos);
  EXPECT_NE(ValidateNote(std::string("a\0b", 3)).message().find("U+0000"), std::string::npos);
  EXPECT_NE(ValidateNote("\x1b[31mred").message().find("U+001B"), std::string::npos);
  EXPECT_NE(ValidateNote("bad \xff").message().find("UTF-8"), std::string::npos);
  EXPECT_NE(ValidateNote(std::string(10001, 'n')).message().find("at most 10000"),
            std::string::npos);
}

}  // namespace
}  // namespace sweep
