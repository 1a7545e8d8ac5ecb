"""The exceptions geoevents raises, and the exit code the command line gives each.

Every failure the library can foresee is one of these, with a message that names
the file or path and a hint saying what to do; anything else that escapes is a
bug (the command line calls it an internal error, exit 4).

========  ==================================================================
exit      meaning
========  ==================================================================
0         valid (warnings allowed unless ``--strict``)
1         problems in the data (annotations, codebook, project file, release
          refused because of what the data says)
2         usage: bad arguments, not an annotation project, unknown version
3         the environment stopped it: permission, disk full, read-only,
          network, a corrupt or tampered cache, release or index
4         internal error (a bug): ``GEOEVENTS_DEBUG=1`` shows the traceback
========  ==================================================================
"""

from __future__ import annotations

EXIT_VALID, EXIT_PROBLEMS, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INTERNAL = 0, 1, 2, 3, 4


class GeoeventsError(Exception):
    """Base of every foreseen failure: a message, a hint, and an exit code."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


class ProblemsFound(GeoeventsError):
    """The data breaks a rule and nothing more can be done until it is fixed (exit 1)."""

    exit_code = EXIT_PROBLEMS


class UsageError(GeoeventsError):
    """Bad arguments, a folder that is not a project, an unknown version (exit 2)."""

    exit_code = EXIT_USAGE


class NotAProject(UsageError):
    """The folder given to ``validate``, ``read_annotations`` or ``build`` holds no
    annotation project: no ``geoevents.yaml``, ``seeds/`` or ``annotations/`` (exit 2)."""


class EnvironmentFailure(GeoeventsError):
    """Permission, disk, network, a corrupt cache or index (exit 3)."""

    exit_code = EXIT_ENVIRONMENT


class TamperedRelease(EnvironmentFailure):
    """A published release's files differ from what ``index.json`` records (exit 3)."""


def from_os_error(exc: OSError, doing: str) -> EnvironmentFailure:
    """An EnvironmentFailure for an OSError met while ``doing`` something, naming the path."""
    import errno

    path = exc.filename or ""
    what = exc.strerror or str(exc)
    hints = {
        errno.EACCES: "check the permissions of that path",
        errno.EPERM: "check the permissions of that path",
        errno.EROFS: "the file system is read-only: work in a writable copy",
        errno.ENOSPC: "the disk is full: free some space and run again",
        errno.EDQUOT: "the disk quota is exhausted: free some space and run again",
        errno.ENOTDIR: "a file stands where a folder is expected: move it away",
        errno.EISDIR: "a folder stands where a file is expected: move it away",
    }
    where = f" {path}" if path else ""
    return EnvironmentFailure(f"cannot {doing}{where}: {what}",
                              hints.get(exc.errno, "check that path and run again"))
