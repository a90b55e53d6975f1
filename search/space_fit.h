// Does a configuration from elsewhere (an earlier sweep, a CSV/JSON file) belong to
// this search space? Used by warm start to decide which prior trials the strategy
// may learn from.
#pragma once

#include <optional>
#include <string>

#include "base/value.h"
#include "search/search_space.h"

namespace sweep {

// Why `config` (canonical: inactive parameters null, see SearchSpace::Deactivate) is
// not a point of `space`, or nullopt when it is. Checks each live parameter's type
// and domain (a constant's value, a categorical's values, integer-ness, bounds; the
// normal family only needs a finite number; q_* values are not required to sit on
// their grid) and the spec's `where:`. The reason is one short phrase naming the
// parameter ("lr: 3 is outside [0.0001, 0.1]"), used to count skipped trials by cause.
std::optional<std::string> MisfitReason(const SearchSpace& space, const Config& config);

// Converts one text cell (CSV) to the typed value parameter `p` would take: the
// categorical or constant value whose text is `cell` (strings as themselves, numbers
// compared by value, booleans as true/false/True/False), or a number for numeric
// distributions (an int64 when the parameter is integer-valued and the number
// integral). nullopt when the text cannot be such a value.
std::optional<Value> ParseCell(const Parameter& p, const std::string& cell);

}  // namespace sweep
