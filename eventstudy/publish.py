"""Safe, atomic replacement of an output folder (the report folder of ``eventstudy run``).

This module imports nothing from eventstudy: it sits at the bottom of the layers, below the report that uses it.

Which folders may be replaced
-----------------------------
A folder is ours only if we made it. Every folder :func:`publish` writes holds a marker file, :data:`MARKER`: the
caller's text, then a manifest of every file and folder written (size and SHA-256 of each file).
:func:`check_output_folder` (called by the command before any work, and by :func:`publish` before it makes anything
and again under the lock) refuses, with the reason and the fix, an output folder that

* is a file (or anything that is not a folder), the root of a file system, the current folder or one of its
  ancestors, the home folder or one of its ancestors;
* is an input or contains one (events, claims, universe file, price folder...): inputs are never inside what is
  replaced. A folder *inside* an input folder is allowed: replacing it touches nothing of the input;
* exists, is not empty and holds no marker, unless it holds only a ``README.md`` whose text is the caller's
  ``placeholder`` (the repository's ``reports/``, kept byte-identical by the report);
* holds a marker but also files or folders the manifest does not list, or files changed since they were written:
  they are the user's, and they are named in the message instead of being deleted (move them out of the folder or
  choose another one). A marker without a manifest (written before manifests existed) cannot tell, and is replaced.

Symbolic links are resolved first: for ``out`` a link, the folder it points to is checked and replaced, and the
link stays as it is.

How a folder is replaced
------------------------
:func:`publish` takes a lock, ``.<name>.lock`` beside the folder (``fcntl.flock``; removed at the end), so two runs
into one folder take turns: the second waits up to :data:`LOCK_TIMEOUT` seconds, then stops with a message (Windows
has no ``flock``: runs there are not serialized). Under the
lock it first cleans the debris of killed runs (``.<name>.<8 characters>.partial`` and ``.previous`` beside the
folder: under the lock none can belong to a live run), writes the new version into a fresh
``.<name>.<8 characters>.partial`` folder beside the target, adds the marker, and swaps it into place:

* on Linux with ``renameat2(RENAME_EXCHANGE)``, which exchanges the two folders in one step: at every moment
  ``out`` is the old complete version or the new complete one. The old one is then deleted (a kill during that
  deletion leaves a ``.partial`` the next run removes);
* where the exchange is not available (another OS, an old kernel or C library, a file system that refuses it), with
  two renames: ``out`` to ``.<name>.<8 characters>.previous``, then the new version to ``out``. A kill between the two
  leaves no ``out``; the next run's recovery rule applies: when ``out`` is missing and a ``.previous`` folder with a
  marker exists beside it, the newest such folder is renamed back to ``out`` before anything else happens.

``out`` stays a real folder (no symbolic link is left in its place). Errors while writing (disk full, permission)
are :class:`OutputWriteError` ("cannot write <path>: <reason>"), distinct from errors reading inputs.

Not covered: a power loss (nothing is ``fsync``-ed; a kill of the process is covered).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

if sys.platform != "win32":
    import fcntl

__all__ = [
    "LOCK_TIMEOUT",
    "MARKER",
    "OutputFolderError",
    "OutputWriteError",
    "check_output_folder",
    "publish",
]

#: Marker file of every published folder (the caller's text, then the manifest).
MARKER = ".eventstudy-report"
#: Seconds a run waits for another run writing the same folder before it stops.
LOCK_TIMEOUT = 120.0
#: First line of the manifest inside :data:`MARKER`.
MANIFEST_HEADER = "# manifest of what was written here (bytes and SHA-256, or kind; path); anything else stops a run"
#: How many names a refusal lists before "and N more".
NAMES_SHOWN = 5
_RANDOM = "[a-z0-9_]{8}"  # the random part of tempfile.mkdtemp names
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class OutputFolderError(ValueError):
    """An output folder that will not be replaced; the message gives the reason and the fix."""

    def __init__(self, out: str | Path, reason: str, fix: str) -> None:
        self.path = str(out)
        super().__init__(f"--out {out}: {reason}; {fix}")


class OutputWriteError(OSError):
    """The output cannot be written (disk full, permission, ...): ``cannot write <path>: <reason>``."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"cannot write {path}: {reason}")

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def _real(path: str | Path) -> Path:
    """``path`` absolute with every symbolic link resolved (also when it does not exist yet)."""
    return Path(os.path.realpath(path))


def check_output_folder(out: str | Path, inputs: Sequence[str | Path] = (), *, placeholder: str | None = None) -> Path:
    """Refuse an output folder that must not be replaced (see the module docstring); return the folder to replace.

    Parameters
    ----------
    out
        The output folder as the user gave it (named in messages).
    inputs
        Files and folders the run reads; none may be ``out`` or inside it.
    placeholder
        Text of a ``README.md`` that may be the only file of a folder without a marker.

    Returns
    -------
    Path
        ``out`` absolute, symbolic links resolved: the folder :func:`publish` replaces.

    Raises
    ------
    OutputFolderError
        With the reason and the fix.
    """
    target = _real(out)
    if target.parent == target:
        raise OutputFolderError(out, "is the root of the file system", "give a new folder, e.g. --out reports")
    here = _real(Path.cwd())
    if target == here or target in here.parents:
        what = "is the current folder" if target == here else f"contains the current folder {here}"
        raise OutputFolderError(out, f"{what}, and the output folder is replaced as a whole", "give a new folder")
    with suppress(RuntimeError, KeyError):  # no home folder known
        home = _real(Path.home())
        if target == home or target in home.parents:
            raise OutputFolderError(out, f"is or contains the home folder {home}", "give a new folder inside it")
    for given in inputs:
        path = _real(given)
        if path == target or target in path.parents:
            what = "is" if path == target else "contains"
            reason = f"{what} the input {given}, and the output folder is replaced as a whole"
            raise OutputFolderError(out, reason, "give a folder apart from the inputs, e.g. --out reports")
    if os.path.lexists(target) and not target.is_dir():
        raise OutputFolderError(out, "is a file, not a folder", f"give a folder, e.g. --out {target.stem}-report")
    if target.is_dir():
        _check_ours(out, target, placeholder)
    _check_writable(out, target)
    return target


def _check_ours(out: str | Path, target: Path, placeholder: str | None) -> None:
    """Refuse a non-empty folder that is not ours, or that holds files of the user's."""
    try:
        names = sorted(os.listdir(target))
    except OSError as exc:
        raise OutputFolderError(out, f"cannot be read ({exc.strerror})", "give a folder you can write") from exc
    readme = target / "README.md"
    if not names or (
        names == ["README.md"]
        and placeholder is not None
        and readme.is_file()
        and not readme.is_symlink()
        and readme.read_bytes() == placeholder.encode("utf-8")
    ):
        return
    if MARKER not in names:
        raise OutputFolderError(
            out,
            f"is a folder eventstudy did not write ({MARKER} is missing) and holds {_listed(names)}; the output "
            "folder is replaced as a whole",
            "give a new or empty folder, e.g. --out reports",
        )
    foreign = _foreign_entries(target)
    if foreign:
        raise OutputFolderError(
            out,
            f"holds {_listed(foreign)}, not written by eventstudy or changed since; the output folder is replaced "
            "as a whole, and these would be lost",
            "move them out of the folder, or give another --out",
        )


def _check_writable(out: str | Path, target: Path) -> None:
    """Refuse a folder whose parent (or nearest existing ancestor) is a file or not writable."""
    ancestor = target.parent
    while not os.path.lexists(ancestor):
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputFolderError(out, f"cannot be created: {ancestor} is a file", "give a folder path")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputFolderError(out, f"cannot be written: no permission to write in {ancestor}", "give another folder")


# -- the manifest ---------------------------------------------------------------------------------------------------


def _entries(folder: Path) -> Iterator[tuple[str, str]]:
    """``(relative posix path, description)`` of everything under ``folder`` but the marker; links not followed.

    A file is described by its size and SHA-256, a folder as ``folder``, anything else by its kind.
    """
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(folders) + sorted(files):
            path = Path(root, name)
            relative = path.relative_to(folder).as_posix()
            if relative == MARKER:
                continue
            if path.is_symlink():
                yield relative, f"link {os.readlink(path)}"
            elif path.is_dir():
                yield relative, "folder"
            elif path.is_file():
                yield relative, f"{path.stat().st_size} {_sha256(path)}"
            else:
                yield relative, "special file"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_text(folder: Path) -> str:
    # A tab separates the description from the path as a JSON string (which escapes any tab or line end in it).
    lines = [MANIFEST_HEADER] + [f"{description}\t{json.dumps(path)}" for path, description in _entries(folder)]
    return "\n".join(lines) + "\n"


def _foreign_entries(folder: Path, attempts: int = 3) -> list[str]:
    """Paths under ``folder`` the manifest does not list as they are now (empty for a marker without manifest).

    Another run may swap a new version into place while the folder is read; the folder is then read again (a marker
    that is not the one read before means the listing may mix two versions).
    """
    foreign = [f"{MARKER} (unreadable)"]
    for _ in range(attempts):
        try:
            before = os.stat(folder / MARKER)
            text = (folder / MARKER).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return foreign
        foreign = _unlisted(folder, text)
        with suppress(OSError):
            if not foreign or os.path.samestat(before, os.stat(folder / MARKER)):
                return foreign
    return foreign


def _unlisted(folder: Path, text: str) -> list[str]:
    """Paths under ``folder`` the marker text's manifest does not list as they are now."""
    if MANIFEST_HEADER not in text:
        return []
    listed = {}
    for line in text.split(MANIFEST_HEADER + "\n", 1)[1].splitlines():
        description, _, path = line.partition("\t")
        with suppress(ValueError):
            listed[json.loads(path)] = description
    foreign = []
    for path, description in _entries(folder):
        if path not in listed:
            foreign.append(path)
        elif listed[path] != description:
            foreign.append(f"{path} (changed)")
    return sorted(foreign)


# -- the lock, the debris and the swap ------------------------------------------------------------------------------


@contextmanager
def _folder_lock(target: Path, timeout: float) -> Iterator[None]:
    """Hold ``.<name>.lock`` beside ``target`` (see the module docstring); remove it when done."""
    if sys.platform == "win32":  # no flock: runs into one folder are not serialized there
        yield
        return
    lock = target.with_name(f".{target.name}.lock")
    deadline = time.monotonic() + timeout
    while True:
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise OutputWriteError(lock, exc.strerror or str(exc)) from exc
        try:
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputFolderError(
                            target,
                            f"another run is writing it (it holds {lock}; waited {timeout:g} s)",
                            "wait for that run to finish, or give another --out",
                        ) from None
                    time.sleep(0.05)
            # The previous holder removes the file when done: only the file still at the path is the lock.
            with suppress(FileNotFoundError):
                if os.path.samestat(os.fstat(descriptor), os.stat(lock)):
                    break
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)
    try:
        yield
    finally:
        with suppress(FileNotFoundError):
            lock.unlink()
        os.close(descriptor)


def _debris(target: Path, kind: str) -> list[Path]:
    """``.<name>.<random>.<kind>`` entries beside ``target``, newest first."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.{_RANDOM}\.{kind}")
    found = [entry for entry in target.parent.iterdir() if pattern.fullmatch(entry.name)]
    return sorted(found, key=lambda entry: entry.lstat().st_mtime_ns, reverse=True)


def _remove(path: Path) -> None:
    """Delete a folder or a file; a symbolic link is removed, never followed."""
    if path.is_symlink() or not path.is_dir():
        with suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _recover(target: Path) -> None:
    """Put back a previous version a killed two-rename swap left aside, then delete every debris (under the lock)."""
    if not os.path.lexists(target):
        complete = [
            path
            for path in _debris(target, "previous")
            if path.is_dir() and not path.is_symlink() and (path / MARKER).is_file()
        ]
        if complete:
            os.rename(complete[0], target)
    for path in _debris(target, "partial") + _debris(target, "previous"):
        _remove(path)


@cache
def _renameat2() -> Callable[..., int] | None:
    """libc's ``renameat2`` (Linux, glibc 2.28+), or ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two existing paths atomically; ``False`` where the system cannot (see the module docstring)."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _swap(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` at ``target``; return where the old version now is (to delete), if there was one."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return None
    if _exchange(staging, target):
        return staging
    previous = staging.with_name(staging.name.removesuffix(".partial") + ".previous")
    os.rename(target, previous)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(previous, target)
        raise
    return previous


def publish(
    out: str | Path,
    write: Callable[[Path], None],
    *,
    marker_text: str,
    placeholder: str | None = None,
    inputs: Sequence[str | Path] = (),
    lock_timeout: float = LOCK_TIMEOUT,
) -> Path:
    """Replace the folder ``out`` with what ``write`` writes, atomically (see the module docstring).

    Parameters
    ----------
    out
        The output folder (a symbolic link is followed: the folder it points to is replaced).
    write
        Fills the empty folder it is given with the new version (every file; not the marker).
    marker_text
        First lines of the marker file :data:`MARKER` (what wrote the folder); the manifest follows.
    placeholder
        Text of a lone ``README.md`` that does not stop the replacement (see :func:`check_output_folder`).
    inputs
        Files and folders the run read; checked again under the lock (see :func:`check_output_folder`).
    lock_timeout
        Seconds to wait for another run writing the same folder.

    Returns
    -------
    Path
        The folder replaced (``out`` absolute, links resolved).

    Raises
    ------
    OutputFolderError
        If ``out`` must not be replaced, or another run holds it longer than ``lock_timeout``.
    OutputWriteError
        If something cannot be written (``cannot write <path>: <reason>``); ``out`` is then unchanged.
    """
    target = check_output_folder(out, inputs, placeholder=placeholder)  # before anything is made
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputWriteError(exc.filename or target.parent, exc.strerror or str(exc)) from exc
    with _folder_lock(target, lock_timeout):
        try:
            _recover(target)
        except OSError as exc:
            raise OutputWriteError(exc.filename or target, exc.strerror or str(exc)) from exc
        check_output_folder(out, inputs, placeholder=placeholder)  # again: the folder may have changed meanwhile
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        except OSError as exc:
            raise OutputWriteError(target, exc.strerror or str(exc)) from exc
        try:
            try:
                write(staging)
            except OSError as exc:
                if exc.filename is not None and not Path(exc.filename).is_relative_to(staging):
                    raise  # not a write into the new version (e.g. reading an input): not ours to rename
                shown = target / Path(exc.filename).relative_to(staging) if exc.filename else target
                raise OutputWriteError(shown, exc.strerror or str(exc)) from exc
            try:
                manifest = _manifest_text(staging)
                (staging / MARKER).write_text(marker_text.rstrip("\n") + "\n\n" + manifest, encoding="utf-8")
                staging.chmod(0o755)
                old = _swap(staging, target)
            except OSError as exc:
                raise OutputWriteError(target, exc.strerror or str(exc)) from exc
        except BaseException:
            _remove(staging)
            raise
        if old is not None:
            _remove(old)
    return target
