// Resolution and validation of `when:` clauses (our extension: conditional parameters).
//
// Internal to the spec parser. Runs once every parameter has been parsed, because a
// clause may name a parameter defined after it.
#pragma once

#include "orchestrator/spec/spec_reader.h"
#include "search/search_space.h"

namespace sweep {

// Resolves each clause's parent (Condition::parent_index) and reports, with the
// clause's file:line:col and key path: an unknown parent (with a did-you-mean hint), a
// parent that is not categorical or constant, a value the parent can never take, a
// cycle of `when:` clauses, and a parameter that is live in no configuration.
void ResolveConditions(SearchSpace& space, SpecReader& reader);

}  // namespace sweep
