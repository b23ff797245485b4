"""One way to write a file: all or nothing, with the permissions the umask gives; and
one way to name a file's bytes (sha256_file)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, if_changed: bool = False) -> None:
    """Replace `path` with `data` atomically: a failed write never leaves a partial file.
    The temporary file has a name of its own (two runs on one folder never share one) and
    is opened like any new file, so the umask gives it the usual permissions (a mkstemp
    file would be private).  With `if_changed` a file that already holds these bytes is
    left alone (`fiscalpub run` re-writes its catalog and manifest on every run: an
    unchanged one keeps its modification time)."""
    if if_changed and path.is_file() and path.read_bytes() == data:
        return
    make_dirs(path.parent)
    _replaceable(path)
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


def _replaceable(path: Path) -> None:
    """Only a regular file (or nothing) is replaced: renaming over a device (-o /dev/full as
    root), a FIFO or a socket would swap a system file for ours."""
    import stat

    try:
        mode = path.stat().st_mode  # follows a link: the link itself is replaced
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    if not stat.S_ISREG(mode):
        raise OSError(1, "not a regular file (a device, FIFO or socket): not replaced", str(path))


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks (a report can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
