// The `where:` expression language: a small, safe predicate over parameter values.
//
// Grammar (lowest precedence first; `**` is right-associative and binds tighter than
// unary minus, as in Python):
//   expr    := or
//   or      := and ("or" and)*
//   and     := not ("and" not)*
//   not     := "not" not | cmp
//   cmp     := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
//   sum     := term (("+" | "-") term)*
//   term    := unary (("*" | "/") unary)*
//   unary   := "-" unary | "+" unary | power
//   power   := atom ("**" unary)?
//   atom    := number | string | "true" | "false" | name | name "(" args ")" | "(" expr ")"
// Names are parameter names (dotted for nested ones: optimizer.lr); functions are
// log, exp, min, max, abs. Strings are '...' or "..." without escapes. Values are
// numbers (double), strings and booleans; there is no assignment, no attribute access,
// no loops, and nothing is ever handed to an interpreter. Parsing bounds the text length
// and the nesting depth, so hostile input cannot exhaust the stack.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "base/value.h"

namespace sweep {

// A problem in an expression: message and 0-based character offset into its text.
struct WhereError {
  std::string message;
  size_t offset = 0;
};

// An evaluated value: number, string or boolean.
using WhereValue = std::variant<double, std::string, bool>;

struct WhereNode;

// A parsed expression. Immutable after Parse; safe to share across threads.
class WhereExpr {
 public:
  // Parses `text`; the error carries the offset of the offending character.
  // Division by a literal zero is reported here.
  static std::variant<std::shared_ptr<const WhereExpr>, WhereError> Parse(std::string_view text);

  ~WhereExpr();

  const std::string& text() const { return text_; }
  // Every name the expression reads, with the offset of its first use, in order.
  const std::vector<std::pair<std::string, size_t>>& names() const { return names_; }

  // Evaluates with `lookup` giving a name's value (nullptr when unknown). The result
  // must be a boolean; a type error or division by zero is a WhereError at the
  // offending operator.
  using Lookup = const Value* (*)(const void* ctx, std::string_view name);
  std::variant<bool, WhereError> Evaluate(Lookup lookup, const void* ctx) const;

 private:
  WhereExpr() = default;
  std::string text_;
  std::unique_ptr<WhereNode> root_;
  std::vector<std::pair<std::string, size_t>> names_;
};

}  // namespace sweep
