// Prior-trials files: `sweep export` CSV (RFC 4180, header row) and JSON (an object
// with "trials", or a bare array of trial objects).
//
// CSV columns: `params.NAME` (or a bare NAME that is a parameter of the space) hold
// parameters, typed by the parameter they belong to (search/space_fit.h ParseCell) so
// that "sgd", "0.1" and "True" become what the spec's values are; an empty cell means
// the parameter is absent (inactive). `metrics.NAME` columns hold metric values, and
// `value` the target metric's. An optional `status` column keeps only finished rows.
// JSON rows carry "params" (a flat mapping, as exported), "metrics" and "value"
// objects, and an optional "status". A row's problems are recorded on the row so the
// caller can count them; only a file that is unreadable as a whole is an error.
#include "orchestrator/controller/prior_file.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "search/space_fit.h"

namespace sweep {
namespace {

std::optional<double> ParseNumber(const std::string& s) {
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE) return std::nullopt;
  return v;
}

// RFC 4180 records; quoted fields may span lines. `lines[i]` is the line record i
// starts on. False with `error` set for an unterminated quote.
bool SplitCsv(const std::string& text, std::vector<std::vector<std::string>>& records,
              std::vector<size_t>& lines, std::string& error) {
  std::vector<std::string> rec;
  std::string field;
  bool quoted = false, any = false;
  size_t line = 1, start_line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = any = true;
    } else if (c == ',') {
      rec.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      if (any || !field.empty()) {
        rec.push_back(std::move(field));
        records.push_back(std::move(rec));
        lines.push_back(start_line);
      }
      rec.clear();
      field.clear();
      any = false;
      start_line = ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) {
    error = "line " + std::to_string(start_line) + ": a quoted field is never closed";
    return false;
  }
  if (any || !field.empty()) {
    rec.push_back(std::move(field));
    records.push_back(std::move(rec));
    lines.push_back(start_line);
  }
  return true;
}

Result<std::vector<PriorRow>> ReadCsv(const std::string& path, const std::string& text,
                                      const SearchSpace& space, const std::string& metric) {
  std::vector<std::vector<std::string>> records;
  std::vector<size_t> lines;
  std::string error;
  if (!SplitCsv(text, records, lines, error)) return Status::Usage(path + ": " + error);
  if (records.empty()) return Status::Usage(path + ": empty file (expected a header row)");
  const std::vector<std::string>& header = records[0];
  enum class Col { kIgnore, kParam, kMetric, kValue, kStatus };
  std::vector<Col> kind(header.size(), Col::kIgnore);
  std::vector<std::string> name(header.size());
  bool has_param = false;
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string& h = header[c];
    if (h.rfind("params.", 0) == 0) {
      kind[c] = Col::kParam, name[c] = h.substr(7);
    } else if (h.rfind("metrics.", 0) == 0) {
      kind[c] = Col::kMetric, name[c] = h.substr(8);
    } else if (h == "value") {
      kind[c] = Col::kValue;
    } else if (h == "status") {
      kind[c] = Col::kStatus;
    } else if (space.IndexOf(h) >= 0) {
      kind[c] = Col::kParam, name[c] = h;
    } else if (h == metric) {
      kind[c] = Col::kMetric, name[c] = h;
    }
    has_param = has_param || kind[c] == Col::kParam;
  }
  if (!has_param)
    return Status::Usage(path + ": line " + std::to_string(lines[0]) +
                         ": no parameter columns (expected params.NAME or a parameter's name)");
  std::vector<PriorRow> rows;
  for (size_t r = 1; r < records.size(); ++r) {
    PriorRow row;
    row.ref = path + ":" + std::to_string(lines[r]);
    row.params = Value::object();
    const std::vector<std::string>& rec = records[r];
    if (rec.size() != header.size()) {
      row.problem = "row has " + std::to_string(rec.size()) + " fields, the header " +
                    std::to_string(header.size());
      rows.push_back(std::move(row));
      continue;
    }
    std::optional<double> value;
    for (size_t c = 0; c < rec.size(); ++c) {
      const std::string& cell = rec[c];
      switch (kind[c]) {
        case Col::kParam: {
          if (cell.empty()) break;
          const int i = space.IndexOf(name[c]);
          if (i < 0) {
            row.params[name[c]] = cell;  // reported as an unknown parameter later
            break;
          }
          std::optional<Value> v = ParseCell(space.params[static_cast<size_t>(i)], cell);
          if (!v && row.problem.empty())
            row.problem = name[c] + ": '" + cell + "' is not a value of this parameter";
          if (v) row.params[name[c]] = std::move(*v);
          break;
        }
        case Col::kMetric:
          if (auto x = ParseNumber(cell)) row.metrics[name[c]] = *x;
          break;
        case Col::kValue:
          value = ParseNumber(cell);
          break;
        case Col::kStatus:
          row.status = cell;
          break;
        case Col::kIgnore:
          break;
      }
    }
    if (value && !row.metrics.count(metric)) row.metrics[metric] = *value;
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<PriorRow>> ReadJson(const std::string& path, const std::string& text,
                                       const std::string& metric) {
  Value doc = Value::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Usage(path + ": not valid JSON");
  const Value* trials = &doc;
  bool value_is_metric = true;
  if (doc.is_object()) {
    auto it = doc.find("trials");
    if (it == doc.end() || !it->is_array())
      return Status::Usage(path +
                           ": expected a \"trials\" array (the shape `sweep export "
                           "--format json` writes) or a top-level array");
    trials = &*it;
    auto m = doc.find("metric");
    if (m != doc.end() && m->is_string() && m->get<std::string>() != metric)
      value_is_metric = false;  // its "value" ranks another metric
  } else if (!doc.is_array()) {
    return Status::Usage(path + ": expected a JSON object with \"trials\" or an array");
  }
  std::vector<PriorRow> rows;
  size_t index = 0;
  for (const Value& t : *trials) {
    PriorRow row;
    row.ref = path + "#" + std::to_string(index++);
    if (!t.is_object()) {
      row.problem = "not a JSON object";
      rows.push_back(std::move(row));
      continue;
    }
    auto p = t.find("params");
    if (p == t.end() || !p->is_object()) {
      row.problem = "no \"params\" object";
      rows.push_back(std::move(row));
      continue;
    }
    row.params = *p;
    if (auto s = t.find("status"); s != t.end() && s->is_string())
      row.status = s->get<std::string>();
    if (auto m = t.find("metrics"); m != t.end() && m->is_object())
      for (auto it = m->begin(); it != m->end(); ++it)
        if (it->is_number()) row.metrics[it.key()] = it->get<double>();
    if (auto v = t.find("value");
        value_is_metric && v != t.end() && v->is_number() && !row.metrics.count(metric))
      row.metrics[metric] = v->get<double>();
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Result<std::vector<PriorRow>> ReadPriorFile(const std::string& path, const SearchSpace& space,
                                            const std::string& metric) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Usage(path + ": cannot read (" + std::strerror(errno) + ")");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return Status::Usage(path + ": cannot read its size");
  if (static_cast<uint64_t>(size) > kMaxPriorFileBytes)
    return Status::Usage(path + ": larger than " + std::to_string(kMaxPriorFileBytes >> 20) +
                         " MiB; refusing to read it as prior trials");
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), size)) return Status::Usage(path + ": read failed");
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '['))
    return ReadJson(path, text, metric);
  return ReadCsv(path, text, space, metric);
}

}  // namespace sweep
