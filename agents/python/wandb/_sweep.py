"""wandb.sweep(config) and wandb.agent(sweep_id, function=train, count=N), in-process.

The notebook pattern: the sweep is defined as a dict and its trials are calls of
train() in this process, one at a time. wandb.sweep validates the dict exactly as
`sweep launch` validates a YAML spec (`program` is not needed) and records the sweep
in sweep's store; wandb.agent runs that sweep's controller as a child process and
calls function() for each configuration it hands out (_sweep_inproc.py). Inside
function(), wandb.init() returns a run bound to that trial (wandb.config holds its
params), wandb.log reaches its metric series, and returning (or wandb.finish())
ends it.

Differences from W&B, on purpose:
- An exception in function() fails that trial (its traceback is recorded as the
  trial's stderr and printed) and the agent goes on with the next one, as W&B's agent
  does; where W&B's agent gives up when too many runs fail in its first minute
  (WANDB_AGENT_MAX_INITIAL_FAILURES), the controller's failure budget ends the sweep
  (its first trials all failing, as for `sweep launch`).
- A trial that the early-terminate rule stops: W&B raises an exception into the
  function's thread asynchronously; here the next wandb.log() (or sweep_client.report())
  raises sweep_client.Pruned, which the agent catches, so the trial is recorded as
  stopped.
- One controller per sweep: a second wandb.agent on the same sweep (in this process,
  or while another process runs it) raises instead of joining it.
- `count` caps the new configurations this call runs; the sweep is then recorded as
  finished and a later wandb.agent(sweep_id, ...) continues it.
"""

import os
import sys

from . import _state


def _inproc():
    try:
        import _sweep_inproc
    except ImportError:
        # Installed as wandb_shim/wandb (a trial's layout): the module is two levels up.
        here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        if here not in sys.path:
            sys.path.append(here)
        import _sweep_inproc
    return _sweep_inproc


def sweep(sweep, entity=None, project=None, prior_runs=None):
    """W&B's wandb.sweep: creates the sweep from a config dict (or a YAML spec path) in
    sweep's store ($SWEEP_STORE, else ./.sweep) and returns its id. entity and project
    are accepted and ignored. Raises ValueError (the spec's errors, each with line,
    column and key path, in .errors) for an invalid config."""
    if prior_runs:
        raise _inproc().SweepError("wandb.sweep(prior_runs=) is not supported by sweep; use "
                                   "the spec's warm_start")
    if callable(getattr(sweep, "to_dict", None)):
        sweep = sweep.to_dict()
    created = _inproc().create(sweep, error_name="wandb.sweep(config)")
    sys.stderr.write("wandb (sweep): created sweep %s in %s\n" % (created["id"], created["store"]))
    return created["id"]


def agent(sweep_id, function=None, entity=None, project=None, count=None):
    """W&B's wandb.agent with function=: runs trials of `sweep_id` in this process, one at
    a time, until `count` trials ran or the sweep is done. Raises ValueError for a
    missing function or a bad count, and RuntimeError (sweep_client.SweepError) for an
    unknown sweep or one that already has an agent."""
    inproc = _inproc()
    if function is None or not callable(function):
        raise ValueError("wandb.agent needs function= (a callable) under sweep; to run a "
                         "program, use `sweep launch sweep.yaml`")
    if count is not None and (isinstance(count, bool) or int(count) < 1):
        raise ValueError("wandb.agent count must be a positive integer, got %r" % (count,))
    sweep_id = str(sweep_id).rsplit("/", 1)[-1]  # entity/project/id as W&B prints it

    def run_trial(trial):
        try:
            function()
        finally:
            # A run the function left open ends with its trial, as W&B's agent does.
            current = _state.current()
            if current is not None:
                exc = sys.exc_info()[0]
                current.finish(exit_code=0 if exc is None else 1)

    inproc.serve(sweep_id, run_trial, count=count, workers=1, set_env=True)


def check_stopped():
    """Raises sweep_client.Pruned when the in-process trial of this thread was stopped."""
    inproc = sys.modules.get("_sweep_inproc")
    trial = inproc.current_trial() if inproc is not None else None
    if trial is not None and trial.stop_reason is not None:
        raise inproc.Pruned("trial %s was stopped: %s" % (trial.id, trial.stop_reason))
