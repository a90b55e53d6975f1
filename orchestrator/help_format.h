// The `--help` layout: CLI11's, with "-h, --help" instead of "-h,--help" so that
// help2man (which builds the man page from this output at build time, see
// cmake/ManPage.cmake) and readers see the usual GNU form. Set on the main App before
// any subcommand is added: subcommands copy their parent's formatter when created.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sweep {

class HelpFormatter : public CLI::Formatter {
 public:
  // An option's names joined by ", " (names never contain a comma); positionals as
  // CLI11 prints them.
  std::string make_option_name(const CLI::Option* opt, bool is_positional) const override {
    std::string name = CLI::Formatter::make_option_name(opt, is_positional);
    if (is_positional) return name;
    std::string out;
    for (char c : name) {
      out.push_back(c);
      if (c == ',') out.push_back(' ');
    }
    return out;
  }
};

}  // namespace sweep
