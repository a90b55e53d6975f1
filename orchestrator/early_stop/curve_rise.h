// A curve that has turned and keeps going up: divergence that never becomes NaN.
//
// The per-trial families (curve_fit.h) all decrease or level off; once a curve turns
// up for good (a learning rate too high, the loss growing every report) it leaves
// every family, the misfit inflates the forecast's sd and the lowest family bound
// goes below anything, so the families never stop it (bench/RESULTS.md, issue 22,
// fourth round: 32 such curves of the diverging family ran to the budget). This test
// needs no family: it looks only at the curve's own reports. Real curves bump (the
// quickstart MLP's validation loss jumps up for 1-3 reports at high learning rates
// and comes back, sometimes below everything seen), so a rise alone is not enough:
// the rise must last `reports` consecutive reports, climb further than any bump the
// sweep saw a curve come back from, and the curve's best value so far must already
// lose to what the sweep has (the caller compares `best_so_far`), so
// stopping it needs the curve to turn back and go below its own best, which every
// curve family rules out for a curve rising that long. Pure math, no state.
#pragma once

#include <cstdint>
#include <vector>

namespace sweep {

struct RiseOptions {
  // Consecutive reports that must each be higher than the one before. The recorded
  // MLP curves (bench/mlp_curves.txt) have bumps of up to 3 rising reports that end
  // at the best value of their sweep, none of 4 or more; with 3 the rule lost the
  // MLP's best in 1 of 10 tuning seeds (bench/RESULTS.md), with 4 in none.
  int64_t reports = 4;
  // The rise over those reports must exceed 2·z noise sds of a difference: noise
  // alone, even ordered, does not climb that far in a few reports.
  double z = 2.33;
  // ... and the largest climb the sweep has seen a curve come back from (the caller
  // passes the maximum of RecoveredClimb over its curves): a sweep whose curves bump
  // and recover must see a rise beyond its own bumps.
  double bumps = 0;
};

struct Rise {
  bool rising = false;     // the test holds
  double best_so_far = 0;  // lowest finite report (oriented: smaller is better)
  int64_t best_at = 0;     // its report number (1-based)
  double rise = 0;         // latest report minus best_so_far
  double climb = 0;        // latest report minus the one options.reports before it
};

// Whether `values` (oriented, smaller is better; the latest last) has risen for the
// last options.reports reports in a row, every one of them finite, by more than
// 2·options.z·sqrt(2·sigma2) and by more than options.bumps in all over them. sigma2 is
// the per-report noise variance (> 0; not rising when unknown). best_so_far, rise and
// climb are filled in either way when the last options.reports + 1 reports rose and
// are finite.
Rise RisingAway(const std::vector<double>& values, double sigma2, const RiseOptions& options);

// The largest climb of `values` (oriented) over a run of reports that each rose, after
// which a later report came back below where the run started; 0 when there is none.
// Non-finite reports end a run and never come back. O(n log n).
double RecoveredClimb(const std::vector<double>& values);

}  // namespace sweep
