// Conversions between protocol messages and the TrialRunner's types.
//
// A remote agent turns an `assign` into the TrialLaunch it hands to TrialRunner, and
// a TrialEnd into the `finished` it sends back; the controller does the reverse. One
// place for this mapping keeps the two sides from drifting apart. Pure functions.
#pragma once

#include <string>

#include "agents/protocol/messages.h"
#include "agents/runtime/trial_runner.h"
#include "base/status.h"

namespace sweep {

// The assignment for a launch under lease_id. trial_dir and workdir are sent relative
// to the agent's work root: rel_trial_dir must pass IsSafeRelativePath, rel_workdir
// too unless empty. The launch's own trial_dir/workdir/python_client_dir stay local.
AssignMsg AssignFromLaunch(const TrialLaunch& launch, const std::string& lease_id,
                           const std::string& rel_trial_dir, const std::string& rel_workdir);

// The launch an agent runs: trial_dir (and workdir, "" = work_root) joined under
// work_root. The message was validated by DecodeMessage, so the joined paths stay
// under work_root.
TrialLaunch LaunchFromAssign(const AssignMsg& assign, const std::string& work_root,
                             const std::string& python_client_dir);

// `finished` for a trial's end, provenance and pid included, fitted to a frame of
// max_frame_bytes by FitFinished.
FinishedMsg FinishedFromEnd(const std::string& trial_id, const std::string& lease_id,
                            const TrialEnd& end, uint32_t max_frame_bytes = kDefaultMaxFrameBytes);

// Makes f's frame fit max_frame_bytes (with room to spare) by leaving out, in turn,
// the provenance's diff body (code.diff gets "omitted": true), its package list, and
// then everything but its warnings; each cut adds a line to provenance.warnings.
// The diff's sha256 and size stay, so the controller still records what changed.
void FitFinished(FinishedMsg* f, uint32_t max_frame_bytes);

// The TrialEnd a `finished` describes. Error (kIo) for an unknown kind name.
Result<TrialEnd> EndFromFinished(const FinishedMsg& finished);

}  // namespace sweep
