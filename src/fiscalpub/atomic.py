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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
