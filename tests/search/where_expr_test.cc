// The `where:` expression language: parsing, evaluation, and errors at the right
// character.
#include "search/where_expr.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sweep {
namespace {

using Env = std::map<std::string, Value>;

const Value* Lookup(const void* ctx, std::string_view name) {
  const auto* env = static_cast<const Env*>(ctx);
  auto it = env->find(std::string(name));
  return it == env->end() ? nullptr : &it->second;
}

std::shared_ptr<const WhereExpr> MustParse(const std::string& text) {
  auto r = WhereExpr::Parse(text);
  if (auto* e = std::get_if<WhereError>(&r)) {
    ADD_FAILURE() << text << ": " << e->message << " at " << e->offset;
    return nullptr;
  }
  return std::get<std::shared_ptr<const WhereExpr>>(r);
}

bool Eval(const std::string& text, const Env& env) {
  auto expr = MustParse(text);
  if (!expr) return false;
  auto r = expr->Evaluate(&Lookup, &env);
  if (auto* e = std::get_if<WhereError>(&r)) {
    ADD_FAILURE() << text << ": " << e->message;
    return false;
  }
  return std::get<bool>(r);
}

WhereError ParseError(const std::string& text) {
  auto r = WhereExpr::Parse(text);
  EXPECT_TRUE(std::holds_alternative<WhereError>(r)) << text << " parsed";
  return std::holds_alternative<WhereError>(r) ? std::get<WhereError>(r) : WhereError{};
}

WhereError EvalError(const std::string& text, const Env& env) {
  auto expr = MustParse(text);
  if (!expr) return {};
  auto r = expr->Evaluate(&Lookup, &env);
  EXPECT_TRUE(std::holds_alternative<WhereError>(r)) << text << " evaluated";
  return std::holds_alternative<WhereError>(r) ? std::get<WhereError>(r) : WhereError{};
}

TEST(WhereExpr, EvaluatesTheIssueExample) {
  const std::string e = "batch_size * seq_len <= 8192 and (optimizer != 'sgd' or lr < 0.1)";
  EXPECT_TRUE(Eval(e, {{"batch_size", 32}, {"seq_len", 256}, {"optimizer", "sgd"}, {"lr", 0.01}}));
  EXPECT_FALSE(
      Eval(e, {{"batch_size", 64}, {"seq_len", 256}, {"optimizer", "adam"}, {"lr", 0.01}}));
  EXPECT_FALSE(Eval(e, {{"batch_size", 16}, {"seq_len", 64}, {"optimizer", "sgd"}, {"lr", 0.5}}));
  EXPECT_TRUE(Eval(e, {{"batch_size", 16}, {"seq_len", 64}, {"optimizer", "adam"}, {"lr", 0.5}}));
}

TEST(WhereExpr, FollowsPythonPrecedence) {
  EXPECT_TRUE(Eval("-2 ** 2 == -4", {}));       // ** binds tighter than unary minus
  EXPECT_TRUE(Eval("2 ** 3 ** 2 == 512", {}));  // right-associative
  EXPECT_TRUE(Eval("1 + 2 * 3 == 7", {}));
  EXPECT_TRUE(Eval("(1 + 2) * 3 == 9", {}));
  EXPECT_TRUE(Eval("not 1 > 2 and 3 >= 3", {}));
  EXPECT_TRUE(Eval("true or false and false", {}));  // and binds tighter than or
  EXPECT_TRUE(Eval("10 / 4 == 2.5", {}));
}

TEST(WhereExpr, HasLogExpMinMaxAbsAndDottedNames) {
  Env env = {{"optimizer.lr", 0.001}, {"layers", 4}, {"flag", true}};
  EXPECT_TRUE(Eval("log(optimizer.lr) < -6 and exp(0) == 1", env));
  EXPECT_TRUE(Eval("min(layers, 2, 3) == 2 and max(layers, 1) == 4 and abs(-3) == 3", env));
  EXPECT_TRUE(Eval("flag == true and not (flag != True)", env));
}

TEST(WhereExpr, ShortCircuitsSoGuardsWork) {
  EXPECT_FALSE(Eval("b != 0 and a / b > 1", {{"a", 1}, {"b", 0}}));
  EXPECT_TRUE(Eval("b == 0 or a / b > 1", {{"a", 1}, {"b", 0}}));
}

TEST(WhereExpr, ListsNamesWithTheirFirstOffset) {
  auto e = MustParse("a + b > a * 2");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->names().size(), 2u);
  EXPECT_EQ(e->names()[0], (std::pair<std::string, size_t>{"a", 0}));
  EXPECT_EQ(e->names()[1], (std::pair<std::string, size_t>{"b", 4}));
}

TEST(WhereExpr, ParseErrorsPointAtTheOffendingCharacter) {
  WhereError e = ParseError("a >= 1 && b");
  EXPECT_EQ(e.offset, 7u);
  EXPECT_NE(e.message.find("use and / or"), std::string::npos) << e.message;
  e = ParseError("a = 1");
  EXPECT_EQ(e.offset, 2u);
  EXPECT_NE(e.message.find("use =="), std::string::npos) << e.message;
  e = ParseError("(a + 1 > 2");
  EXPECT_EQ(e.offset, 10u);
  EXPECT_NE(e.message.find("missing ')'"), std::string::npos);
  e = ParseError("a < b < c");
  EXPECT_NE(e.message.find("chained"), std::string::npos);
  e = ParseError("sqrt(a) > 1");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.message.find("unknown function 'sqrt'"), std::string::npos);
  e = ParseError("a / 0 > 1");
  EXPECT_EQ(e.offset, 2u);
  EXPECT_EQ(e.message, "division by zero");
  e = ParseError("'open");
  EXPECT_NE(e.message.find("unterminated"), std::string::npos);
  EXPECT_EQ(ParseError("").message, "empty expression");
  EXPECT_EQ(ParseError("a >").message, "expression ends too early");
  EXPECT_NE(ParseError("log(1, 2) > 0").message.find("exactly one"), std::string::npos);
  EXPECT_NE(ParseError("__import__('os').system('x')").message.find("unknown function"),
            std::string::npos);
  EXPECT_NE(ParseError("a.b(1) > 0").message.find("unknown function"), std::string::npos);
}

TEST(WhereExpr, RefusesDeepNestingAndLongTextWithoutCrashing) {
  EXPECT_NE(ParseError(std::string(1000, '(') + "1").message.find("nested deeper"),
            std::string::npos);
  EXPECT_NE(ParseError(std::string(100000, 'a')).message.find("longer than"), std::string::npos);
  EXPECT_NE(ParseError("not " + std::string(200, '-') + "1").message.find("nested"),
            std::string::npos);
}

TEST(WhereExpr, EvaluationErrorsNameTheOperator) {
  WhereError e = EvalError("1024 / (b - 16) > 2", {{"b", 16}});
  EXPECT_EQ(e.offset, 5u);
  EXPECT_EQ(e.message, "division by zero");
  e = EvalError("opt * 2 > 1", {{"opt", "adam"}});
  EXPECT_EQ(e.offset, 4u);
  EXPECT_NE(e.message.find("needs numbers, found a string"), std::string::npos) << e.message;
  e = EvalError("opt == 3", {{"opt", "adam"}});
  EXPECT_NE(e.message.find("cannot compare a string with a number"), std::string::npos);
  e = EvalError("log(x) > 0", {{"x", 0}});
  EXPECT_NE(e.message.find("<= 0"), std::string::npos);
  e = EvalError("a + 1", {{"a", 1}});
  EXPECT_NE(e.message.find("must be true or false"), std::string::npos);
  e = EvalError("missing > 1", {});
  EXPECT_NE(e.message.find("unknown parameter 'missing'"), std::string::npos);
  e = EvalError("10 ** x > 1", {{"x", 400}});
  EXPECT_NE(e.message.find("not a finite number"), std::string::npos);
}

}  // namespace
}  // namespace sweep
