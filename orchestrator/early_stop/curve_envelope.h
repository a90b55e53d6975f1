// A curve's lower envelope: the lowest report so far, at every report.
//
// Real curves at high learning rates are jagged (the quickstart MLP at lr 0.1: reports
// jump between 0.16 and 1.4 around a level of ~0.4), and their spikes go up. Fitted as
// they are, the spikes inflate every family's noise, the optimistic bound reaches
// below anything, and such trials run to the budget (bench/RESULTS.md, issue 22, sixth
// round). The running minimum has no upward spikes, so the families fit it tightly,
// and it bounds the final report exactly: the value at report T is never below the
// envelope at T. A confident forecast that the envelope ends worse than the incumbent
// is therefore a confident forecast that the trial does. Pure math, no state; see
// curve_rule.h for how the rule uses it.
#pragma once

#include <vector>

namespace sweep {

// The running minimum of `values` (oriented: smaller is better). Non-finite reports
// leave it unchanged (a leading one is copied until the first finite report).
std::vector<double> LowerEnvelope(const std::vector<double>& values);

// True when no finite report is above an earlier finite one: the curve is its own
// envelope, and fitting the envelope would repeat the curve's fit.
bool NeverRose(const std::vector<double>& values);

}  // namespace sweep
