"""Files written safely: never over a campaign or an input, never half-written (layer 0).

Every output yieldlab writes (a CSV, a model file, a report, a lab sheet) goes through
:func:`write_atomically`: written under a temporary name beside it and renamed into place,
so a crash, a full disk or a refused write leaves the file it would replace as it was. Before
that, :func:`check_output_file` refuses a path that would destroy data.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .exceptions import StoreError

__all__ = ["check_output_file", "output_mode", "write_atomically"]

_SQLITE_HEADER = b"SQLite format 3\x00"


def _is_database(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def check_output_file(
    path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), suffix: str = ".csv"
) -> None:
    """Refuse to write an output over something it would destroy: one of the ``inputs`` it
    was made from, or a database (a campaign file, or the log SQLite keeps beside one).

    Parameters
    ----------
    path : str or path
        The file about to be written.
    inputs : iterable of str or path
        The files the output is made from (a data table, a campaign file).
    suffix : str, default='.csv'
        The ending of the output's kind, for the name the message suggests instead.

    Raises
    ------
    StoreError
        Naming the file and what to do instead.

    Examples
    --------
    >>> check_output_file("plan.csv", inputs=["runs.csv"])
    """
    path = Path(path)
    for beside in ("-wal", "-shm", "-journal"):
        if path.name.endswith(beside):
            base = path.with_name(path.name.removesuffix(beside))
            if _is_database(base):
                raise StoreError(
                    f"{str(path)!r} is SQLite's own file beside the campaign file "
                    f"{str(base)!r}; writing there would damage the campaign: give the "
                    "output another file name"
                )
    if path.is_file() and _is_database(path):
        raise StoreError(
            f"{str(path)!r} is a campaign file (an SQLite database); writing there would "
            "destroy its experiments: give the output another file name, such as "
            f"{str(path.with_suffix(suffix))!r}"
        )
    for source in inputs:
        source = Path(source)
        if path.exists() and source.exists() and os.path.samefile(path, source):
            raise StoreError(
                f"{str(path)!r} is also the input {str(source)!r}; writing there would "
                "replace it: give the output another file name"
            )


def output_mode(path: str | os.PathLike) -> int:
    """Permissions for a file written under a temporary name and renamed to ``path``: those
    of the file it replaces, else the usual ones of a new file (``0o666`` less the umask),
    not the owner-only ``0o600`` of :func:`tempfile.mkstemp` (a report on a shared drive
    must stay readable by the team)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask: read from Linux's /proc where it can be (setting it to read it
    back, the only portable way, races with other threads creating files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(
    path: str | os.PathLike,
    write: Callable[[str], None],
    what: str = "the file",
    *,
    replace: bool = True,
) -> Path:
    """Call ``write(temporary)`` on a new file beside ``path``, then rename it into place.

    The temporary file keeps the ending of ``path`` (a writer such as openpyxl checks it)
    and gets the permissions of :func:`output_mode`. Whatever ``write`` raises, the
    temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path
        The file to write; its folder must exist.
    write : callable
        Writes the whole content to the file name it is given.
    what : str, default='the file'
        What is written, for the error message (``'the model file'``).
    replace : bool, default=True
        Whether an existing ``path`` is replaced. With ``False`` a file at ``path``,
        even one created by another process while ``write`` ran, is left as it was and
        FileExistsError is raised.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    StoreError
        When the file cannot be written (a missing or read-only folder, a full disk),
        naming the file and the reason; nothing is written.
    FileExistsError
        With ``replace=False``, when ``path`` exists.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_atomically(path, lambda name: pathlib.Path(name).write_text("ok")).read_text()
    'ok'
    """
    path = Path(path)

    def refused(exc: OSError) -> StoreError:
        return StoreError(f"{path}: cannot write {what} ({exc.strerror or exc})")

    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent or "."
        )
        os.close(handle)
    except OSError as exc:
        raise refused(exc) from None
    try:
        write(temporary)
        os.chmod(temporary, output_mode(path))
        if replace:
            os.replace(temporary, path)
        else:
            _link(temporary, path)
    except FileExistsError:
        raise
    except OSError as exc:
        raise refused(exc) from None
    finally:  # gone after a rename; a second name after a link; half-written after a failure
        with contextlib.suppress(OSError):
            os.remove(temporary)
    return path


def _link(temporary: str, path: Path) -> None:
    """Give the file ``temporary`` the name ``path`` too, never over a file there:
    FileExistsError then, and that file is left as it was.

    NOTE: ``os.replace`` after a check that ``path`` is free would replace a file another
    process created in between (a campaign with its first results); a hard link fails
    instead. Where the file system has no hard links, the check and the rename are as
    close as they can be.
    """
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some network or FAT file systems)
        if path.exists():
            raise FileExistsError(str(path)) from None
        os.replace(temporary, path)
