"""wandb.Artifact for sweep's wandb module: files kept in the trial's folder.

log_artifact copies an artifact's files to artifacts/<name>/ under the trial folder;
the agent records each with its size and SHA-256 when the trial ends. References
(add_reference) are kept as a list in artifacts/<name>/references.txt.
"""

import os
import re
import shutil
import tempfile


class Artifact(object):
    """wandb.Artifact(name, type, description=None, metadata=None)."""

    def __init__(self, name, type="unspecified", description=None, metadata=None, **kwargs):
        self.name = str(name)
        self.type = type
        self.description = description
        self.metadata = dict(metadata or {})
        self._entries = []  # (source path, name inside the artifact)
        self._references = []
        self._staging = None

    def add_file(self, local_path, name=None, is_tmp=False, **kwargs):
        local_path = os.fspath(local_path)
        if not os.path.isfile(local_path):
            raise ValueError("Artifact.add_file: %s is not a file" % local_path)
        self._entries.append((os.path.abspath(local_path), name or os.path.basename(local_path)))

    def add_dir(self, local_path, name=None, **kwargs):
        local_path = os.fspath(local_path)
        if not os.path.isdir(local_path):
            raise ValueError("Artifact.add_dir: %s is not a directory" % local_path)
        for root, _, files in os.walk(local_path):
            for f in sorted(files):
                full = os.path.join(root, f)
                rel = os.path.relpath(full, local_path)
                self._entries.append((os.path.abspath(full), os.path.join(name, rel) if name else rel))

    def add_reference(self, uri, name=None, **kwargs):
        self._references.append(str(uri))

    def new_file(self, name, mode="w", encoding=None):
        """An open file inside the artifact (W&B's new_file); close it before logging."""
        if self._staging is None:
            self._staging = tempfile.mkdtemp(prefix="sweep-artifact-")
        path = os.path.join(self._staging, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self._entries.append((path, name))
        return open(path, mode, encoding=encoding)

    def add(self, obj, name):
        raise ValueError("Artifact.add(%s) is not provided by sweep's wandb module; "
                         "use add_file" % type(obj).__name__)

    def _materialise(self, trial_dir):
        """Copies the files under trial_dir/artifacts/<name>/; returns their relative paths."""
        folder = os.path.join("artifacts", re.sub(r"[^A-Za-z0-9_.-]+", "_", self.name) or "artifact")
        out = []
        for src, rel in self._entries:
            rel = os.path.normpath(rel)
            if rel.startswith("..") or os.path.isabs(rel):
                rel = os.path.basename(src)
            dst_rel = os.path.join(folder, rel)
            dst = os.path.join(trial_dir, dst_rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            out.append(dst_rel)
        if self._references:
            rel = os.path.join(folder, "references.txt")
            os.makedirs(os.path.join(trial_dir, folder), exist_ok=True)
            with open(os.path.join(trial_dir, rel), "w") as f:
                f.write("\n".join(self._references) + "\n")
            out.append(rel)
        return out

    def __repr__(self):
        return "<Artifact %s (%s)>" % (self.name, self.type)
