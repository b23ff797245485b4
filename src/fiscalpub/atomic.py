"""One way to write a file: all or nothing, with the permissions the umask gives."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically: a failed write never leaves a partial file.
    The temporary file has a name of its own (two runs on one folder never share one) and
    is opened like any new file, so the umask gives it the usual permissions (a mkstemp
    file would be private)."""
    make_dirs(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def make_dirs(folder: Path) -> None:
    """mkdir -p, but a file in the way is named as such (mkdir says "File exists")."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        blocker = next(
            (p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder
        )
        raise NotADirectoryError(20, "a file is in the way, not a folder", str(blocker)) from None
