// See sweep_reopen.h.
#include "orchestrator/store/sweep_reopen.h"

namespace sweep {

Status ReopenSweep(TrialStore& store, SweepRecord& sweep) {
  SweepRecord rec = sweep;
  rec.status = SweepStatus::kRunning;
  rec.reason.clear();
  rec.ended_at = 0;
  rec.stop_requested = rec.cancel_requested = false;
  WriteBatch batch;
  batch.sweeps.push_back(rec);
  if (Status s = store.Commit(batch); !s.ok()) return s;
  sweep = std::move(rec);
  return Status::Ok();
}

}  // namespace sweep
