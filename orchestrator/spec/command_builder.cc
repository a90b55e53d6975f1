// Trial argv construction, following W&B's agent step by step.
//
// W&B's agent (wandb/wandb: sweep_utils.create_sweep_command and
// create_sweep_command_args, wandb_agent._command_run) first substitutes
// ${envvar:NAME} inside every command element, then replaces each element that is
// exactly "${name}" by the list of strings that macro stands for (possibly several
// elements, possibly none), and keeps every other element verbatim. We do the same,
// producing a vector of strings handed straight to execve: there is no shell, so a
// value like "; rm -rf ~" is one harmless argument. The args mapping is the spec's
// configuration with nested groups re-nested, in spec order (W&B sorts keys on its
// server; the order of flags carries no meaning for argparse-style programs).
#include "orchestrator/spec/command_builder.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sweep {
namespace {

void AppendJsonString(const std::string& s, std::string& out) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[16];
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // ensure_ascii: decode UTF-8 and escape as \uXXXX (surrogate pairs above U+FFFF).
    unsigned int cp = 0;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (i + len > s.size()) len = s.size() - i;
    cp = c & (len == 4 ? 0x07 : len == 3 ? 0x0F : 0x1F);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    } else {
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    }
    out += buf;
  }
  out += '"';
}

void AppendJson(const Value& v, std::string& out) {
  switch (v.type()) {
    case Value::value_t::null:
      out += "null";
      return;
    case Value::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Value::value_t::number_float: {
      const double d = v.get<double>();
      if (std::isnan(d)) {
        out += "NaN";
      } else if (std::isinf(d)) {
        out += d > 0 ? "Infinity" : "-Infinity";
      } else {
        out += FormatPythonFloat(d);
      }
      return;
    }
    case Value::value_t::string:
      AppendJsonString(v.get<std::string>(), out);
      return;
    case Value::value_t::array: {
      out += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ", ";
        AppendJson(v[i], out);
      }
      out += ']';
      return;
    }
    case Value::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        AppendJsonString(it.key(), out);
        out += ": ";
        AppendJson(it.value(), out);
      }
      out += '}';
      return;
    }
    default:  // integers
      out += FormatPython(v);
      return;
  }
}

// Replaces every ${envvar:NAME} in `token`; an error names the first unset variable.
Result<std::string> SubstituteEnvvars(const std::string& token, const CommandContext& ctx) {
  static const std::string kOpen = "${envvar:";
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t p = token.find(kOpen, pos);
    const size_t end = p == std::string::npos ? p : token.find('}', p);
    if (p == std::string::npos || end == std::string::npos) {
      out += token.substr(pos);
      return out;
    }
    out += token.substr(pos, p - pos);
    const std::string name = token.substr(p + kOpen.size(), end - p - kOpen.size());
    std::optional<std::string> value;
    if (ctx.getenv) {
      value = ctx.getenv(name);
    } else if (const char* v = std::getenv(name.c_str())) {
      value = v;
    }
    if (!value)
      return Status::InvalidSpec("command: ${envvar:" + name + "}: environment variable " + name +
                                 " is not set");
    out += *value;
    pos = end + 1;
  }
}

}  // namespace

std::string PythonJsonDumps(const Value& value) {
  std::string out;
  AppendJson(value, out);
  return out;
}

Value ArgsMapping(const SweepSpec& spec, const Config& config) {
  return spec.space.ToNested(config);
}

std::string ArgsJson(const SweepSpec& spec, const Config& config) {
  return PythonJsonDumps(ArgsMapping(spec, config));
}

std::vector<std::string> EffectiveCommand(const SweepSpec& spec) {
  if (!spec.command.empty()) return spec.command;
  return {"${env}", "${interpreter}", "${program}", "${args}"};
}

Result<std::vector<std::string>> BuildArgv(const SweepSpec& spec, const Config& config,
                                           const CommandContext& ctx) {
  if (config.size() != spec.space.params.size())
    return Status::Internal("configuration has " + std::to_string(config.size()) +
                            " values but the spec has " + std::to_string(spec.space.params.size()) +
                            " parameters");
  // An in-process trial is a Python function call: there is no command to build.
  if (spec.in_process) return std::vector<std::string>{};
  const Value args = ArgsMapping(spec, config);
  std::vector<std::string> argv;
  for (const std::string& raw : EffectiveCommand(spec)) {
    Result<std::string> sub = SubstituteEnvvars(raw, ctx);
    if (!sub.ok()) return sub.status();
    const std::string& token = *sub;
    const bool whole = token.size() > 3 && token.compare(0, 2, "${") == 0 && token.back() == '}' &&
                       token.find('}') == token.size() - 1;
    if (!whole) {
      argv.push_back(token);
      continue;
    }
    const std::string macro = token.substr(2, token.size() - 3);
    if (macro == "env") {
      argv.push_back("/usr/bin/env");
    } else if (macro == "interpreter") {
      argv.push_back(spec.interpreter);
    } else if (macro == "program") {
      argv.push_back(spec.program);
    } else if (macro == "args_json") {
      argv.push_back(PythonJsonDumps(args));
    } else if (macro == "args_json_file") {
      if (ctx.args_json_file.empty())
        return Status::Internal("the command uses ${args_json_file} but no file path was given");
      argv.push_back(ctx.args_json_file);
    } else if (macro == "args_dict") {
      // W&B's agent extends its argv with the args dict itself, which in Python
      // yields the dict's keys: one element per top-level parameter name.
      for (auto it = args.begin(); it != args.end(); ++it) argv.push_back(it.key());
    } else if (macro == "args" || macro == "args_no_equals" || macro == "args_no_hyphens" ||
               macro == "args_no_boolean_flags" || macro == "args_append_hydra" ||
               macro == "args_override_hydra") {
      for (auto it = args.begin(); it != args.end(); ++it) {
        const std::string& name = it.key();
        const std::string text = FormatPython(it.value());
        if (macro == "args") {
          argv.push_back("--" + name + "=" + text);
        } else if (macro == "args_no_equals") {
          argv.push_back("--" + name);
          argv.push_back(text);
        } else if (macro == "args_no_hyphens") {
          argv.push_back(name + "=" + text);
        } else if (macro == "args_append_hydra") {
          argv.push_back("+" + name + "=" + text);
        } else if (macro == "args_override_hydra") {
          argv.push_back("++" + name + "=" + text);
        } else if (it.value().is_boolean()) {
          if (it.value().get<bool>()) argv.push_back("--" + name);
        } else {
          argv.push_back("--" + name + "=" + text);
        }
      }
    } else {
      return Status::InvalidSpec("command: unknown macro " + token);
    }
  }
  return argv;
}

}  // namespace sweep
