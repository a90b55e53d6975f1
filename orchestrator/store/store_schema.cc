// The store's schema as SQL text, one script per schema version.
//
// schemas/store.sql is the documented copy: the concatenation of these scripts,
// checked byte for byte by a test. To change the schema, append a script (ALTER
// TABLE, CREATE INDEX ...) to the list and to schemas/store.sql; never edit a step
// that has shipped, since stores in the field are already past it.
#include "orchestrator/store/store_schema.h"

namespace sweep {
namespace {

// Keep in sync with schemas/store.sql (a test compares the two byte for byte).
const char* const kSchemaV1 =
    R"SQL(-- Version 1: sweeps, trials, interned metric series, notes and tags.
--
-- Conventions: times are seconds since the Unix epoch (REAL); JSON columns hold
-- compact JSON text (integers and floats keep their distinction; NaN and +-infinity,
-- which JSON lacks, are written as the strings "\u0000NaN", "\u0000Infinity" and
-- "\u0000-Infinity"); uint64 values (seed, number, suggestion) are stored as the
-- int64 with the same bits.
CREATE TABLE sweeps (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL DEFAULT '',
  spec_file        TEXT NOT NULL DEFAULT '',
  spec_text        TEXT NOT NULL DEFAULT '',
  space            TEXT NOT NULL DEFAULT 'null',  -- JSON: SearchSpace::Describe()
  method           TEXT NOT NULL DEFAULT '',
  metric           TEXT NOT NULL DEFAULT '',
  goal             TEXT NOT NULL DEFAULT '',
  seed             INTEGER NOT NULL DEFAULT 0,
  status           TEXT NOT NULL CHECK (status IN
                     ('running', 'finished', 'interrupted', 'stopped', 'failed')),
  reason           TEXT NOT NULL DEFAULT '',
  workdir          TEXT NOT NULL DEFAULT '',
  options          TEXT NOT NULL DEFAULT 'null',  -- JSON: launch options
  created_at       REAL NOT NULL DEFAULT 0,
  ended_at         REAL NOT NULL DEFAULT 0,
  stop_requested   INTEGER NOT NULL DEFAULT 0,    -- set by `sweep stop`
  cancel_requested INTEGER NOT NULL DEFAULT 0     -- set by `sweep stop --cancel`
);
CREATE INDEX sweeps_by_created ON sweeps (created_at);

CREATE TABLE trials (
  pk              INTEGER PRIMARY KEY,  -- stable row id that points, notes, tags use
  id              TEXT NOT NULL UNIQUE,  -- "<sweep>-<number>"
  sweep_id        TEXT NOT NULL REFERENCES sweeps (id),
  number          INTEGER NOT NULL,
  suggestion      INTEGER NOT NULL DEFAULT 0,
  retry_of        TEXT NOT NULL DEFAULT '',
  params          TEXT NOT NULL DEFAULT '{}',  -- JSON object
  status          TEXT NOT NULL CHECK (status IN
                    ('queued', 'running', 'finished', 'failed', 'stopped', 'lost')),
  exit_code       INTEGER,  -- NULL: none
  signal          INTEGER,  -- NULL: none
  reason          TEXT NOT NULL DEFAULT '',
  host            TEXT NOT NULL DEFAULT '',
  agent           TEXT NOT NULL DEFAULT '',
  slot            INTEGER NOT NULL DEFAULT -1,
  gpus            TEXT NOT NULL DEFAULT '',
  argv            TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
  trial_dir       TEXT NOT NULL DEFAULT '',
  created_at      REAL NOT NULL DEFAULT 0,
  started_at      REAL NOT NULL DEFAULT 0,
  ended_at        REAL NOT NULL DEFAULT 0,
  value           REAL,  -- summary of the target metric; NULL: absent or NaN
  value_is_nan    INTEGER NOT NULL DEFAULT 0,  -- SQLite stores NaN as NULL
  metric_reported INTEGER NOT NULL DEFAULT 0,
  summary         TEXT NOT NULL DEFAULT 'null',  -- JSON
  stderr_tail     TEXT NOT NULL DEFAULT '',
  malformed_lines INTEGER NOT NULL DEFAULT 0,
  UNIQUE (sweep_id, number)
);

-- Metric names are interned: a point row carries a small integer, not the text.
CREATE TABLE metric_names (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- Which metrics each trial reported, so listing them never scans its points.
CREATE TABLE trial_metrics (
  trial INTEGER NOT NULL REFERENCES trials (pk),
  name  INTEGER NOT NULL REFERENCES metric_names (id),
  PRIMARY KEY (trial, name)
) WITHOUT ROWID;

-- One row per reported point, clustered by series so that a series is one range
-- read and an insert touches one b-tree. seq tells apart points reported twice for
-- the same step (0 for the first; the store assigns the next one). value NULL means
-- NaN (SQLite cannot store NaN); +-Inf are stored as such. trial and name carry no
-- REFERENCES clause on purpose: the store resolves both from trials and
-- metric_names in the same transaction before inserting, and the two parent
-- lookups a foreign key costs per row were a quarter of the insert time.
CREATE TABLE points (
  trial INTEGER NOT NULL,  -- trials.pk
  name  INTEGER NOT NULL,  -- metric_names.id
  step  INTEGER NOT NULL,
  seq   INTEGER NOT NULL DEFAULT 0,
  value REAL,
  wall  REAL NOT NULL,
  PRIMARY KEY (trial, name, step, seq)
) WITHOUT ROWID;

CREATE TABLE notes (
  id         INTEGER PRIMARY KEY,
  trial      INTEGER NOT NULL REFERENCES trials (pk),
  text       TEXT NOT NULL,
  created_at REAL NOT NULL
);
CREATE INDEX notes_by_trial ON notes (trial, id);

CREATE TABLE tags (
  trial      INTEGER NOT NULL REFERENCES trials (pk),
  tag        TEXT NOT NULL,
  created_at REAL NOT NULL,
  PRIMARY KEY (trial, tag)
) WITHOUT ROWID;
)SQL";

const char* const kSchemaV2 =
    R"SQL(-- Version 2: provenance. Code facts, the environment's content hash, artifacts and
-- data hashes per trial; environment snapshots stored once per distinct content
-- (shared by trials); diffs live as files <store>/blobs/<sha256>.patch, one per
-- distinct diff. pid: the trial's process group while it runs, so a controller
-- restarted after a crash can find orphans.
ALTER TABLE trials ADD COLUMN code TEXT NOT NULL DEFAULT 'null';       -- JSON
ALTER TABLE trials ADD COLUMN env_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE trials ADD COLUMN artifacts TEXT NOT NULL DEFAULT '[]';    -- JSON array
ALTER TABLE trials ADD COLUMN data TEXT NOT NULL DEFAULT '[]';         -- JSON array
ALTER TABLE trials ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';     -- JSON array
ALTER TABLE trials ADD COLUMN reproduces TEXT NOT NULL DEFAULT '';
ALTER TABLE trials ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;

CREATE TABLE environments (
  hash TEXT PRIMARY KEY,  -- SHA-256 of json
  json TEXT NOT NULL
) WITHOUT ROWID;
)SQL";

const char* const kSchemaV3 =
    R"SQL(-- Version 3: remote agents and Slurm. lease_id: the lease a remote attempt runs
-- under, so a restarted controller can let its agent re-attach it; placement: where
-- the attempt ran (agent, Slurm job, array task, node, GPUs) as JSON. agents: every
-- remote agent a sweep saw, as `sweep status` lists them. slurm_jobs: the job ids a
-- sweep submitted, so `sweep resume` finds them again and every exit cancels them.
ALTER TABLE trials ADD COLUMN lease_id TEXT NOT NULL DEFAULT '';
ALTER TABLE trials ADD COLUMN placement TEXT NOT NULL DEFAULT 'null';  -- JSON

CREATE TABLE agents (
  sweep_id       TEXT NOT NULL REFERENCES sweeps (id),
  id             TEXT NOT NULL,             -- "a1", "a2", ... per sweep
  name           TEXT NOT NULL DEFAULT '',  -- the agent's own name (host:pid)
  host           TEXT NOT NULL DEFAULT '',
  peer           TEXT NOT NULL DEFAULT '',  -- ip:port of its last connection
  slots          INTEGER NOT NULL DEFAULT 0,
  gpus           TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
  facts          TEXT NOT NULL DEFAULT '{}',  -- JSON: os, cpus, memory, Slurm job ...
  running        INTEGER NOT NULL DEFAULT 0,
  finished       INTEGER NOT NULL DEFAULT 0,
  connected      INTEGER NOT NULL DEFAULT 0,
  connected_at   REAL NOT NULL DEFAULT 0,
  last_heartbeat REAL NOT NULL DEFAULT 0,
  paused         TEXT NOT NULL DEFAULT '',  -- why it gets no more trials; '' = it does
  PRIMARY KEY (sweep_id, id)
) WITHOUT ROWID;

CREATE TABLE slurm_jobs (
  sweep_id     TEXT NOT NULL REFERENCES sweeps (id),
  job_id       TEXT NOT NULL,  -- as sbatch --parsable printed it
  tasks        INTEGER NOT NULL DEFAULT 1,
  submitted_at REAL NOT NULL DEFAULT 0,
  state        TEXT NOT NULL DEFAULT '',  -- last seen: PENDING, RUNNING, ENDED, CANCELLED
  PRIMARY KEY (sweep_id, job_id)
) WITHOUT ROWID;
)SQL";

}  // namespace

const std::vector<std::string>& StoreMigrations() {
  static const std::vector<std::string> kMigrations = {kSchemaV1, kSchemaV2, kSchemaV3};
  return kMigrations;
}

}  // namespace sweep
