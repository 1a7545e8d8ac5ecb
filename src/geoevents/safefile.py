"""Read a project's own files safely: inside the project, regular, bounded.

Annotation files and a project's ``schemas/`` are read through ``read_bytes``:
the path must resolve inside the project root (a symbolic link that leaves it
is refused), it must be a regular file (a FIFO, a device, a socket or a folder
is refused from ``stat`` alone, never opened: opening a FIFO would block), and
it must be no larger than the limit given (checked before reading, and again
while reading, for a file that grows). What is refused comes back as a
``Refused`` with a rule code and a message naming the file; OSErrors (an
unreadable file) are left to the caller, which makes them an environment failure.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

MIB = 1024 * 1024
#: open flags: never block on a FIFO swapped in after stat, never follow a last link
OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
              | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))


class Refused:
    """Why a file is not read: a rule code, a message and a hint."""

    __slots__ = ("hint", "message", "rule")

    def __init__(self, rule: str, message: str, hint: str):
        self.rule, self.message, self.hint = rule, message, hint

    def __repr__(self) -> str:
        return f"Refused({self.rule!r}, {self.message!r})"


def inside(path: Path, root: Path | None) -> tuple[Path | None, Refused | None]:
    """The resolved path if it stays inside ``root`` (anywhere if None), else why not."""
    try:
        real = Path(path).resolve()
        top = Path(root).resolve() if root is not None else None
    except (RuntimeError, OSError):  # a loop of symbolic links
        return None, Refused("file-not-regular", "is a loop of symbolic links",
                             "replace the link by the file itself")
    if top is not None and not real.is_relative_to(top):
        return None, Refused("file-outside", f"leads outside the project (to {real})",
                             "copy it into the project; nothing is read from outside the project")
    return real, None


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: Path, root: Path | None, limit: int) -> bytes | Refused:
    """The bytes of a regular file inside ``root`` (None: checked by the caller) of at
    most ``limit`` bytes, or a Refused."""
    real, refused = inside(path, root)
    if refused:
        return refused
    try:
        info = os.stat(real)
    except FileNotFoundError:
        if os.path.islink(path):
            return Refused("file-not-regular", "is a symbolic link to nothing",
                           "point the link at an existing file, or remove it")
        raise
    if not stat.S_ISREG(info.st_mode):
        return _not_regular(info.st_mode)
    if info.st_nlink > 1:  # another name of the same file may stand outside the project
        return Refused("file-outside", f"has {info.st_nlink} names (hard links): one may "
                       "stand outside the project", "copy the file instead of linking it")
    if info.st_size > limit:
        return _too_large(info.st_size, limit)
    fd = os.open(real, OPEN_FLAGS)
    with os.fdopen(fd, "rb") as fh:
        opened = os.fstat(fh.fileno())
        if not stat.S_ISREG(opened.st_mode):  # swapped since the stat
            return _not_regular(opened.st_mode)
        data = fh.read(limit + 1)
    if len(data) > limit:
        return _too_large(len(data), limit)
    return data


def _not_regular(mode: int) -> Refused:
    return Refused("file-not-regular", f"is {kind(mode)}, not a file: it is not read",
                   "put a regular file here, or move this out of the project")


def _too_large(size: int, limit: int) -> Refused:
    return Refused("file-too-large",
                   f"is {size / MIB:,.1f} MiB; files of this kind are read up to "
                   f"{limit / MIB:,.0f} MiB",
                   "split it into several files of the same table "
                   "(<table>-<part>.csv or .yaml)")


def temporary(folder: Path, name: str, data: bytes, mode: int = 0o644) -> str:
    """A new file in ``folder`` holding ``data``, flushed to disk: its path. Created anew
    (O_EXCL), so a link planted under a temporary name is never written through."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def replace(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` as the whole of ``path``: a temporary file in the same folder,
    renamed over ``path``. The file holds its old bytes or the new ones, never a part.
    It keeps its permissions (``mode`` for a new file: 0644 unless given). A symbolic
    link is written through: its target is replaced (callers read the file with
    ``read_bytes`` first, which refuses a link out of the project)."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o644
    tmp = temporary(path.parent, path.name, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
