// The `where:` language: a tokenizer, a recursive-descent parser to a small AST and a
// tree-walking evaluator (see where_expr.h for the grammar).
//
// Safety: the text is bounded (kMaxText) and so is the nesting depth (kMaxDepth), so
// neither parsing nor evaluation (which recurses along the same tree) can exhaust the
// stack. Evaluation is total: every operator checks its operand types and reports a
// WhereError at its own offset instead of throwing; non-finite arithmetic results are
// errors too, so a comparison never silently sees NaN.
#include "search/where_expr.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace sweep {

namespace {
constexpr size_t kMaxText = 4096;
constexpr int kMaxDepth = 64;
}  // namespace

enum class Op {
  kNumber,
  kString,
  kBool,
  kName,
  kCall,
  kNeg,
  kNot,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAnd,
  kOr,
};

struct WhereNode {
  Op op = Op::kNumber;
  size_t offset = 0;
  double number = 0;
  std::string text;  // string literal, name or function name
  bool boolean = false;
  std::vector<std::unique_ptr<WhereNode>> kids;
};

namespace {

struct Token {
  enum Kind { kEnd, kNumber, kString, kName, kOp } kind = kEnd;
  std::string text;
  double number = 0;
  size_t offset = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::unique_ptr<WhereNode> Run(std::vector<std::pair<std::string, size_t>>& names) {
    names_ = &names;
    Next();
    auto node = Or(0);
    if (!error_ && tok_.kind != Token::kEnd) Fail(tok_.offset, "unexpected '" + tok_.text + "'");
    return error_ ? nullptr : std::move(node);
  }
  const std::optional<WhereError>& error() const { return error_; }

 private:
  void Fail(size_t offset, const std::string& message) {
    if (!error_) error_ = WhereError{message, offset};
  }

  void Next() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    tok_ = Token();
    tok_.offset = pos_;
    if (pos_ >= text_.size()) return;
    const char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && pos_ + 1 < text_.size() &&
         std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
      const std::string rest(text_.substr(pos_, 64));
      char* end = nullptr;
      tok_.number = std::strtod(rest.c_str(), &end);
      const size_t len = static_cast<size_t>(end - rest.c_str());
      tok_.kind = Token::kNumber;
      tok_.text = rest.substr(0, len);
      pos_ += len;
      if (!std::isfinite(tok_.number)) Fail(tok_.offset, "number out of range: " + tok_.text);
      return;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = pos_;
      while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                                    text_[end] == '_' || text_[end] == '.'))
        ++end;
      tok_.kind = Token::kName;
      tok_.text = std::string(text_.substr(pos_, end - pos_));
      pos_ = end;
      return;
    }
    if (c == '\'' || c == '"') {
      const size_t close = text_.find(c, pos_ + 1);
      if (close == std::string_view::npos) {
        Fail(pos_, "unterminated string");
        pos_ = text_.size();
        return;
      }
      tok_.kind = Token::kString;
      tok_.text = std::string(text_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      return;
    }
    static const char* kOps[] = {"**", "<=", ">=", "==", "!=", "<", ">",
                                 "+",  "-",  "*",  "/",  "(",  ")", ","};
    for (const char* op : kOps) {
      const std::string_view o(op);
      if (text_.substr(pos_, o.size()) == o) {
        tok_.kind = Token::kOp;
        tok_.text = std::string(o);
        pos_ += o.size();
        return;
      }
    }
    Fail(pos_, std::string("unexpected character '") + c + "'" +
                   (c == '=' ? " (use == to compare)" : "") +
                   (c == '&' || c == '|' ? " (use and / or)" : "") +
                   (c == '!' ? " (use not)" : ""));
    pos_ = text_.size();
  }

  bool IsOp(const char* op) const { return tok_.kind == Token::kOp && tok_.text == op; }
  bool IsWord(const char* w) const { return tok_.kind == Token::kName && tok_.text == w; }

  std::unique_ptr<WhereNode> Make(Op op, size_t offset) {
    auto n = std::make_unique<WhereNode>();
    n->op = op;
    n->offset = offset;
    return n;
  }
  std::unique_ptr<WhereNode> Binary(Op op, size_t offset, std::unique_ptr<WhereNode> a,
                                    std::unique_ptr<WhereNode> b) {
    auto n = Make(op, offset);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return n;
  }
  bool Deep(int depth) {
    if (depth <= kMaxDepth) return false;
    Fail(tok_.offset, "expression nested deeper than " + std::to_string(kMaxDepth) + " levels");
    return true;
  }

  std::unique_ptr<WhereNode> Or(int depth) {
    if (Deep(depth)) return nullptr;
    auto left = And(depth + 1);
    while (!error_ && IsWord("or")) {
      const size_t at = tok_.offset;
      Next();
      left = Binary(Op::kOr, at, std::move(left), And(depth + 1));
    }
    return left;
  }
  std::unique_ptr<WhereNode> And(int depth) {
    auto left = Not(depth + 1);
    while (!error_ && IsWord("and")) {
      const size_t at = tok_.offset;
      Next();
      left = Binary(Op::kAnd, at, std::move(left), Not(depth + 1));
    }
    return left;
  }
  std::unique_ptr<WhereNode> Not(int depth) {
    if (Deep(depth)) return nullptr;
    if (IsWord("not")) {
      auto n = Make(Op::kNot, tok_.offset);
      Next();
      n->kids.push_back(Not(depth + 1));
      return n;
    }
    return Compare(depth + 1);
  }
  std::unique_ptr<WhereNode> Compare(int depth) {
    auto left = Sum(depth + 1);
    static const std::pair<const char*, Op> kCmp[] = {{"<", Op::kLt},  {"<=", Op::kLe},
                                                      {">", Op::kGt},  {">=", Op::kGe},
                                                      {"==", Op::kEq}, {"!=", Op::kNe}};
    for (const auto& [text, op] : kCmp) {
      if (error_ || !IsOp(text)) continue;
      const size_t at = tok_.offset;
      Next();
      left = Binary(op, at, std::move(left), Sum(depth + 1));
      for (const auto& [t2, op2] : kCmp)
        if (!error_ && IsOp(t2))
          Fail(tok_.offset, "chained comparisons are not supported; join them with 'and'");
      break;
    }
    return left;
  }
  std::unique_ptr<WhereNode> Sum(int depth) {
    auto left = Term(depth + 1);
    while (!error_ && (IsOp("+") || IsOp("-"))) {
      const Op op = IsOp("+") ? Op::kAdd : Op::kSub;
      const size_t at = tok_.offset;
      Next();
      left = Binary(op, at, std::move(left), Term(depth + 1));
    }
    return left;
  }
  std::unique_ptr<WhereNode> Term(int depth) {
    auto left = Unary(depth + 1);
    while (!error_ && (IsOp("*") || IsOp("/"))) {
      const Op op = IsOp("*") ? Op::kMul : Op::kDiv;
      const size_t at = tok_.offset;
      Next();
      auto right = Unary(depth + 1);
      if (op == Op::kDiv && right && right->op == Op::kNumber && right->number == 0)
        Fail(at, "division by zero");
      left = Binary(op, at, std::move(left), std::move(right));
    }
    return left;
  }
  std::unique_ptr<WhereNode> Unary(int depth) {
    if (Deep(depth)) return nullptr;
    if (IsOp("-") || IsOp("+")) {
      const bool neg = IsOp("-");
      const size_t at = tok_.offset;
      Next();
      auto operand = Unary(depth + 1);
      if (!neg) return operand;
      auto n = Make(Op::kNeg, at);
      n->kids.push_back(std::move(operand));
      return n;
    }
    auto base = Atom(depth + 1);
    if (!error_ && IsOp("**")) {
      const size_t at = tok_.offset;
      Next();
      base = Binary(Op::kPow, at, std::move(base), Unary(depth + 1));
    }
    return base;
  }
  std::unique_ptr<WhereNode> Atom(int depth) {
    if (error_) return nullptr;
    const Token t = tok_;
    if (t.kind == Token::kEnd) {
      Fail(t.offset, t.offset == 0 ? "empty expression" : "expression ends too early");
      return nullptr;
    }
    if (t.kind == Token::kNumber) {
      Next();
      auto n = Make(Op::kNumber, t.offset);
      n->number = t.number;
      return n;
    }
    if (t.kind == Token::kString) {
      Next();
      auto n = Make(Op::kString, t.offset);
      n->text = t.text;
      return n;
    }
    if (IsOp("(")) {
      Next();
      auto inner = Or(depth + 1);
      if (!error_ && !IsOp(")"))
        Fail(tok_.offset, "missing ')' for '(' at column " + std::to_string(t.offset + 1));
      Next();
      return inner;
    }
    if (t.kind != Token::kName || t.text == "and" || t.text == "or" || t.text == "not") {
      Fail(t.offset, "unexpected '" + t.text + "'");
      return nullptr;
    }
    Next();
    if (t.text == "true" || t.text == "True" || t.text == "false" || t.text == "False") {
      auto n = Make(Op::kBool, t.offset);
      n->boolean = t.text[0] == 't' || t.text[0] == 'T';
      return n;
    }
    if (!IsOp("(")) {
      auto n = Make(Op::kName, t.offset);
      n->text = t.text;
      bool seen = false;
      for (const auto& [name, at] : *names_) seen = seen || name == t.text;
      if (!seen) names_->emplace_back(t.text, t.offset);
      return n;
    }
    const bool known =
        t.text == "log" || t.text == "exp" || t.text == "abs" || t.text == "min" || t.text == "max";
    if (!known) {
      Fail(t.offset, "unknown function '" + t.text + "' (known: log, exp, abs, min, max)");
      return nullptr;
    }
    Next();
    auto call = Make(Op::kCall, t.offset);
    call->text = t.text;
    while (!error_ && !IsOp(")")) {
      call->kids.push_back(Or(depth + 1));
      if (!error_ && IsOp(",")) {
        Next();
      } else if (!error_ && !IsOp(")")) {
        Fail(tok_.offset, "expected ',' or ')' in the arguments of " + t.text);
      }
    }
    Next();
    const size_t argc = call->kids.size();
    const bool unary = t.text == "log" || t.text == "exp" || t.text == "abs";
    if (!error_ && unary && argc != 1) Fail(t.offset, t.text + "() takes exactly one argument");
    if (!error_ && !unary && argc < 2) Fail(t.offset, t.text + "() takes at least two arguments");
    return call;
  }

  std::string_view text_;
  size_t pos_ = 0;
  Token tok_;
  std::optional<WhereError> error_;
  std::vector<std::pair<std::string, size_t>>* names_ = nullptr;
};

using EvalResult = std::variant<WhereValue, WhereError>;

const char* TypeName(const WhereValue& v) {
  return std::holds_alternative<double>(v) ? "a number"
         : std::holds_alternative<bool>(v) ? "a boolean"
                                           : "a string";
}

std::optional<WhereValue> FromValue(const Value& v) {
  if (v.is_boolean()) return WhereValue(v.get<bool>());
  if (v.is_number()) return WhereValue(v.get<double>());
  if (v.is_string()) return WhereValue(v.get<std::string>());
  return std::nullopt;
}

EvalResult Eval(const WhereNode& n, WhereExpr::Lookup lookup, const void* ctx) {
  auto err = [&](const std::string& m) { return EvalResult(WhereError{m, n.offset}); };
  switch (n.op) {
    case Op::kNumber:
      return WhereValue(n.number);
    case Op::kString:
      return WhereValue(n.text);
    case Op::kBool:
      return WhereValue(n.boolean);
    case Op::kName: {
      const Value* v = lookup(ctx, n.text);
      if (!v) return err("unknown parameter '" + n.text + "'");
      auto w = FromValue(*v);
      if (!w) return err("parameter '" + n.text + "' is a list, mapping or null here");
      return *w;
    }
    default:
      break;
  }
  std::vector<WhereValue> args;
  // and/or short-circuit, so `b != 0 and a / b > 1` is safe.
  if (n.op == Op::kAnd || n.op == Op::kOr) {
    for (const auto& kid : n.kids) {
      EvalResult r = Eval(*kid, lookup, ctx);
      if (auto* e = std::get_if<WhereError>(&r)) return *e;
      const WhereValue& v = std::get<WhereValue>(r);
      if (!std::holds_alternative<bool>(v))
        return EvalResult(WhereError{std::string("'") + (n.op == Op::kAnd ? "and" : "or") +
                                         "' needs booleans, found " + TypeName(v),
                                     kid->offset});
      const bool b = std::get<bool>(v);
      if (n.op == Op::kAnd && !b) return WhereValue(false);
      if (n.op == Op::kOr && b) return WhereValue(true);
    }
    return WhereValue(n.op == Op::kAnd);
  }
  for (const auto& kid : n.kids) {
    EvalResult r = Eval(*kid, lookup, ctx);
    if (auto* e = std::get_if<WhereError>(&r)) return *e;
    args.push_back(std::get<WhereValue>(std::move(r)));
  }
  if (n.op == Op::kNot) {
    if (!std::holds_alternative<bool>(args[0]))
      return err(std::string("'not' needs a boolean, found ") + TypeName(args[0]));
    return WhereValue(!std::get<bool>(args[0]));
  }
  if (n.op == Op::kEq || n.op == Op::kNe) {
    bool eq;
    if (args[0].index() != args[1].index()) {
      if (std::holds_alternative<bool>(args[0]) || std::holds_alternative<bool>(args[1]) ||
          std::holds_alternative<std::string>(args[0]) ||
          std::holds_alternative<std::string>(args[1]))
        return err(std::string("cannot compare ") + TypeName(args[0]) + " with " +
                   TypeName(args[1]));
    }
    eq = args[0] == args[1];
    return WhereValue(n.op == Op::kEq ? eq : !eq);
  }
  for (const WhereValue& a : args)
    if (!std::holds_alternative<double>(a))
      return err(std::string(n.op == Op::kCall ? n.text + "()" : "this operator") +
                 " needs numbers, found " + TypeName(a));
  const double a = std::get<double>(args[0]);
  const double b = args.size() > 1 ? std::get<double>(args[1]) : 0;
  double r = 0;
  switch (n.op) {
    case Op::kLt:
      return WhereValue(a < b);
    case Op::kLe:
      return WhereValue(a <= b);
    case Op::kGt:
      return WhereValue(a > b);
    case Op::kGe:
      return WhereValue(a >= b);
    case Op::kNeg:
      r = -a;
      break;
    case Op::kAdd:
      r = a + b;
      break;
    case Op::kSub:
      r = a - b;
      break;
    case Op::kMul:
      r = a * b;
      break;
    case Op::kDiv:
      if (b == 0) return err("division by zero");
      r = a / b;
      break;
    case Op::kPow:
      r = std::pow(a, b);
      break;
    case Op::kCall:
      if (n.text == "log") {
        if (a <= 0) return err("log() of a number <= 0");
        r = std::log(a);
      } else if (n.text == "exp") {
        r = std::exp(a);
      } else if (n.text == "abs") {
        r = std::fabs(a);
      } else {
        r = a;
        for (const WhereValue& v : args)
          r = n.text == "min" ? std::min(r, std::get<double>(v)) : std::max(r, std::get<double>(v));
      }
      break;
    default:
      return err("internal: unknown operator");
  }
  if (!std::isfinite(r)) return err("the result is not a finite number");
  return WhereValue(r);
}

}  // namespace

WhereExpr::~WhereExpr() = default;

std::variant<std::shared_ptr<const WhereExpr>, WhereError> WhereExpr::Parse(std::string_view text) {
  if (text.size() > kMaxText)
    return WhereError{"expression longer than " + std::to_string(kMaxText) + " characters",
                      kMaxText};
  std::shared_ptr<WhereExpr> expr(new WhereExpr());
  expr->text_ = std::string(text);
  Parser parser(expr->text_);
  expr->root_ = parser.Run(expr->names_);
  if (parser.error()) return *parser.error();
  return std::shared_ptr<const WhereExpr>(std::move(expr));
}

std::variant<bool, WhereError> WhereExpr::Evaluate(Lookup lookup, const void* ctx) const {
  EvalResult r = Eval(*root_, lookup, ctx);
  if (auto* e = std::get_if<WhereError>(&r)) return *e;
  const WhereValue& v = std::get<WhereValue>(r);
  if (!std::holds_alternative<bool>(v))
    return WhereError{std::string("the expression must be true or false, it gives ") + TypeName(v) +
                          " (did you forget a comparison?)",
                      0};
  return std::get<bool>(v);
}

}  // namespace sweep
