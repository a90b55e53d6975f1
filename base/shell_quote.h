// Quoting argv for display only (sweep never runs a command through a shell): the
// text a user can paste into a POSIX shell to run the same argv.
#pragma once

#include <string>
#include <vector>

namespace sweep {

// 'it'\''s' style single quoting when the word has anything a shell would interpret;
// the word itself when it is plainly safe.
std::string ShellQuoteForDisplay(const std::string& word);
// Words joined by spaces, each quoted as above.
std::string ShellJoinForDisplay(const std::vector<std::string>& argv);

}  // namespace sweep
