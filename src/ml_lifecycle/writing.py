"""Every file the package writes goes through here: the Hub card, the
dossier, approvals and evidence updates. A repository is untrusted input, and
so are the links committed to it:

- The target is confined to a folder (the project, or the folder the user
  named outside it): each folder on the way is opened without following a
  link, so that a link committed as `hub/README.md -> ../.venv/bin/tool`, or a
  folder swapped for a link while the command runs, is refused, never
  written through. An edit may resolve links that stay inside the project
  (the document was read through them), never one that leaves it.
- A target is a chain of names below its folder: a name that is empty,
  `.` or `..`, or holds a separator, is refused whoever built the target.
- A link, a folder or a special file (a FIFO, a device) where a regular file
  should be is refused; so is a file or a link where a folder should be.
- The new content goes to a temporary file in the same folder, which then
  replaces the target in one rename: a full disk or a size limit leaves the
  old file whole, and a hard link to a file elsewhere is never written
  through (the rename gives the name a new file).
- The target is read again just before the rename: when it no longer holds
  what the command read (an edit saved meanwhile), nothing is written.
- An edit keeps the file's encoding (UTF-8, with or without a byte-order
  mark) and each line's own line end.

Each refusal is a limits.Refused whose message completes "<path>: ...".
On a system without folder descriptors (Windows), each folder is checked by
path instead, which leaves a short race: the README lists it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import stat
import sys
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from ml_lifecycle import limits

BOM = "\ufeff"
NEW_FILE_MODE = 0o666  # less the umask, as any new file
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
# Folder descriptors make each step immune to a swap (os.replace takes them
# where os.rename does); without them (Windows)
# every step is checked by path.
WITH_FOLDER_FDS = os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd


CHANGED = limits.Refused("changed while this command ran: not written; run the command again")


class Absent:
    """What a target held before the command when it did not exist."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()


@dataclass(frozen=True)
class Target:
    """Where a write goes: a folder the write is confined to, and the names
    below it, each opened in turn without following a link."""

    root: Path
    parts: tuple[str, ...]

    def __post_init__(self) -> None:
        # A second layer under every caller's own checks: a name that
        # climbs, stays put or holds a separator would leave `root`.
        if not self.parts or any(not plain_name(part) for part in self.parts):
            raise limits.Refused("is not a path of names inside the project: not written")

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def shown(self) -> str:
        return "/".join(self.parts)


# --- where a write goes -------------------------------------------------------------

SEPARATORS = {"/", os.sep, os.altsep or "/"}


def plain_name(name: str) -> bool:
    """Whether `name` is one file or folder name: not empty, `.` or `..`, and
    holding no separator and no NUL."""
    return name not in ("", ".", "..") and "\0" not in name and not SEPARATORS & set(name)


def output_target(path: Path, project: Path) -> Target:
    """The target of an output (the Hub card, the dossier): inside the
    project, every name below it as typed, none of them may be a link. A
    path the user named outside the project is confined to the nearest
    folder of it that exists."""
    refuse_nul(path)
    full, root = Path(os.path.abspath(path)), Path(os.path.abspath(project))
    if full.is_relative_to(root) and full != root:
        return Target(root, full.relative_to(root).parts)
    base = full.parent
    while not base.exists() and base != base.parent:
        base = base.parent
    return Target(base, full.relative_to(base).parts)


def edit_target(path: Path, project: Path) -> Target:
    """The target of an edit of a file the command read (a document): its
    folder resolved, links included, which must stay inside the project;
    the file itself must not be a link."""
    refuse_nul(path)
    root = Path(project).resolve()
    try:
        folder = Path(path).absolute().parent.resolve(strict=True)
    except (OSError, RuntimeError):
        raise limits.Refused("is in a folder that cannot be resolved: not written") from None
    if not folder.is_relative_to(root):
        raise limits.Refused("is in a folder outside the project: not written")
    return Target(root, (*folder.relative_to(root).parts, Path(path).name))


def refuse_nul(path: Path) -> None:
    if "\0" in str(path):
        raise limits.Refused("is not a usable file name (it holds a NUL): not written")


# --- encodings and line ends ----------------------------------------------------------


@dataclass(frozen=True)
class TextForm:
    """How a file wrote its text: a byte-order mark, and which of its line
    ends were CRLF (offsets of their "\n" in the text with Unix line ends)."""

    bom: bool = False
    crlf_at: tuple[int, ...] = ()
    newlines: int = 0

    @property
    def mostly_crlf(self) -> bool:
        return 2 * len(self.crlf_at) >= self.newlines > 0


def decode(raw: bytes) -> tuple[str, TextForm]:
    """UTF-8 text with Unix line ends, and how to write it back as it was.
    Raises UnicodeDecodeError."""
    text = raw.decode("utf-8")
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    crlf_at, at = [], 0
    pieces = text.split("\r\n")
    for piece in pieces[:-1]:
        at += len(piece)
        crlf_at.append(at)
        at += 1
    text = "\n".join(pieces)
    return text, TextForm(bom, tuple(crlf_at), text.count("\n"))


def encode(text: str, form: TextForm) -> bytes:
    """A whole new text in the file's form: its byte-order mark, and CRLF
    throughout when most of its lines ended so."""
    if form.mostly_crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return ((BOM if form.bom else "") + text).encode("utf-8")


def apply_edits(text: str, form: TextForm, edits: list[tuple[int, int, str]]) -> bytes:
    """The file with `edits` (start, end, new text; offsets in the text with
    Unix line ends) made and everything else byte for byte, each line end
    as it was: a line an edit adds ends like the line it is added to."""
    original = _with_line_ends(text, form)
    shift = form.crlf_at
    out, at = [], 0
    for start, end, new in sorted(edits):
        raw_start = start + bisect_right(shift, start - 1)
        raw_end = end + bisect_right(shift, end - 1)
        ending = "\r\n" if _crlf_line(text, form, start) else "\n"
        out += [original[at:raw_start], new.replace("\n", ending)]
        at = raw_end
    out.append(original[at:])
    return ((BOM if form.bom else "") + "".join(out)).encode("utf-8")


def _with_line_ends(text: str, form: TextForm) -> str:
    if not form.crlf_at:
        return text
    pieces, at = [], 0
    for offset in form.crlf_at:
        pieces += [text[at:offset], "\r\n"]
        at = offset + 1
    pieces.append(text[at:])
    return "".join(pieces)


def _crlf_line(text: str, form: TextForm, offset: int) -> bool:
    """Whether the line holding `offset` ended with CRLF (the last line,
    which has no end: whether the line before it did)."""
    end = text.find("\n", offset)
    if end < 0:
        end = text.rfind("\n", 0, offset)
    if end < 0:
        return form.mostly_crlf
    at = bisect_right(form.crlf_at, end) - 1
    return at >= 0 and form.crlf_at[at] == end


# --- reading and writing a target ------------------------------------------------------


def current(target: Target, create: bool = False) -> bytes | Absent:
    """What the target holds now (ABSENT when it does not exist). Raises
    Refused for a link or a special file on the way."""
    try:
        with _folder(target, create) as folder:
            return _read_entry(folder, target)
    except FileNotFoundError:  # a folder on the way does not exist yet
        return ABSENT


def write(target: Target, data: bytes, expected: bytes | Absent | None = None) -> None:
    """Replace the target with `data`, atomically. With `expected`, refuse
    when the target no longer holds it (ABSENT: when it appeared meanwhile).
    Raises Refused, or OSError (a full disk: the old file stays whole)."""
    with _folder(target, create=True) as folder:
        mode = _mode_of(folder, target)
        temporary = f".{target.name[:80]}.{secrets.token_hex(6)}.tmp"
        _write_new(folder, temporary, data, mode)
        try:
            if expected is not None and _read_entry(folder, target) != expected:
                raise CHANGED
            _rename(folder, temporary, target.name, expected)
            _sync(folder)
        except BaseException:
            with contextlib.suppress(OSError):
                _unlink(folder, temporary)
            raise


def _walk_refusal(error: OSError, name: str) -> limits.Refused:
    """An OSError met on the way to the target, as one line."""
    if error.errno in (errno.ELOOP, errno.EMLINK):
        return limits.Refused(
            f"is reached through {name}, a link: not written; make {name} a real folder"
        )
    if error.errno == errno.ENOTDIR:
        return limits.Refused(
            f"is inside {name}, which is not a folder: not written; make {name} a folder"
        )
    return limits.Refused(f"cannot be written: {error.strerror or error}")


# --- the walk: folder descriptors where the system has them ------------------------------


@contextlib.contextmanager
def _folder(target: Target, create: bool):
    """The target's folder: a descriptor (or, without them, a path), reached
    from the root one name at a time, never through a link."""
    if not WITH_FOLDER_FDS:
        yield _folder_by_path(target, create)
        return
    fd = os.open(target.root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for name in target.parts[:-1]:
            fd = _step(fd, name, create)
        yield fd
    finally:
        os.close(fd)


def _step(fd: int, name: str, create: bool) -> int:
    """The sub-folder `name` of the folder `fd`, which it closes once the
    step is made (on an error, the caller closes it)."""
    flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC
    try:
        try:
            child = os.open(name, flags, dir_fd=fd)
        except FileNotFoundError:
            if not create:
                raise
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o777, dir_fd=fd)
            child = os.open(name, flags, dir_fd=fd)
    except FileNotFoundError:
        raise
    except OSError as error:
        if error.errno == errno.ENOTDIR and _is_link(fd, name):
            error = OSError(errno.ELOOP, "a link")
        raise _walk_refusal(error, name) from None
    os.close(fd)
    return child


def _is_link(fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _folder_by_path(target: Target, create: bool) -> Path:
    folder = target.root
    for name in target.parts[:-1]:
        folder = folder / name
        if folder.is_symlink() or getattr(folder, "is_junction", lambda: False)():
            raise _walk_refusal(OSError(errno.ELOOP, "link"), name)
        if not folder.exists() and create:
            folder.mkdir()
        elif folder.exists() and not folder.is_dir():
            raise _walk_refusal(OSError(errno.ENOTDIR, "not a folder"), name)
        elif not folder.exists():
            raise FileNotFoundError(errno.ENOENT, "missing", str(folder))
    return folder


def _lstat(folder, name: str) -> os.stat_result | None:
    try:
        if isinstance(folder, Path):
            return os.lstat(folder / name)
        return os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _kind_refusal(info: os.stat_result) -> limits.Refused | None:
    if stat.S_ISLNK(info.st_mode):
        return limits.Refused("is a link: not written; delete the link, and run the command again")
    if stat.S_ISDIR(info.st_mode):
        return limits.Refused("is a folder: not written; name a file")
    if not stat.S_ISREG(info.st_mode):
        return limits.Refused(
            "is not a regular file (a pipe or a device): not written; delete it, and run "
            "the command again"
        )
    return None


def _read_entry(folder, target: Target) -> bytes | Absent:
    info = _lstat(folder, target.name)
    if info is None:
        return ABSENT
    refused = _kind_refusal(info)
    if refused is not None:
        raise refused
    flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY
    if isinstance(folder, Path):
        fd = os.open(folder / target.name, flags)
    else:
        fd = os.open(target.name, flags, dir_fd=folder)
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise limits.Refused("is not a regular file: not written")
        data = file.read(limits.MAX_ASSET_BYTES + 1)
    return data


def _mode_of(folder, target: Target) -> int | None:
    """The permissions to keep: the old file's, None for a new file."""
    info = _lstat(folder, target.name)
    if info is None:
        return None
    refused = _kind_refusal(info)
    if refused is not None:
        raise refused
    return stat.S_IMODE(info.st_mode)


def _write_new(folder, name: str, data: bytes, mode: int | None) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
    if isinstance(folder, Path):
        fd = os.open(folder / name, flags, NEW_FILE_MODE)
    else:
        fd = os.open(name, flags, NEW_FILE_MODE, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as file:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            _unlink(folder, name)
        raise


def _rename(folder, name: str, target: str, expected: bytes | Absent | None = None) -> None:
    """Put the new file `name` in place of `target`. Where the system can
    exchange two names in one step (Linux), the check that the target still
    holds `expected` is made on what the exchange took out, and the
    exchange undone when it does not: an edit saved at any moment up to the
    swap stays. Elsewhere the target is replaced after the check."""
    if isinstance(folder, Path):
        os.replace(folder / name, folder / target)
        return
    if expected is None or _RENAMEAT2 is None:
        os.replace(name, target, src_dir_fd=folder, dst_dir_fd=folder)
        return
    if isinstance(expected, Absent):
        if _renameat2(folder, name, target, _RENAME_NOREPLACE) == "blocked":
            raise CHANGED  # it appeared meanwhile
        return
    step = _renameat2(folder, name, target, _RENAME_EXCHANGE)
    if step == "blocked":
        raise CHANGED  # it vanished meanwhile
    if step == "replaced":
        return
    try:
        taken_out = _read_entry(folder, Target(Path("."), (name,)))
    except (limits.Refused, OSError):
        taken_out = None
    if taken_out != expected:
        _renameat2(folder, name, target, _RENAME_EXCHANGE)
        raise CHANGED
    _unlink(folder, name)


def _renameat2(folder: int, name: str, target: str, flags: int) -> str:
    """renameat2(2): "done"; "blocked" when the target stood in the way
    (RENAME_NOREPLACE) or was missing (RENAME_EXCHANGE); "replaced" when the
    file system cannot and a plain replace was made instead."""
    result = _RENAMEAT2(folder, os.fsencode(name), folder, os.fsencode(target), flags)
    if result == 0:
        return "done"
    error = ctypes.get_errno()
    if error in (errno.EEXIST, errno.ENOENT):
        return "blocked"
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        os.replace(name, target, src_dir_fd=folder, dst_dir_fd=folder)
        return "replaced"
    raise OSError(error, os.strerror(error))


def _load_renameat2():
    """glibc's renameat2, where there is one (Linux with glibc 2.28 or later)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_RENAMEAT2 = _load_renameat2()


def _sync(folder) -> None:
    """Make the rename durable where the system allows it."""
    if not isinstance(folder, Path):
        with contextlib.suppress(OSError):
            os.fsync(folder)


def _unlink(folder, name: str) -> None:
    if isinstance(folder, Path):
        os.unlink(folder / name)
    else:
        os.unlink(name, dir_fd=folder)


# --- what the commands call -------------------------------------------------------------


def remove(target: Target, expected: bytes) -> None:
    """Delete a file this command wrote, if it still holds `expected` (a
    command undoing its own writes after a later one failed). Raises
    Refused or OSError."""
    with _folder(target, create=False) as folder:
        if _read_entry(folder, target) == expected:
            _unlink(folder, target.name)


class Output:
    """A file a command writes anew (the Hub card, the dossier). Made before
    the work, so that a target that cannot be written is refused at once;
    written after it, unless the file changed meanwhile."""

    def __init__(self, path: Path, project: Path):
        self.path = Path(path)
        self.target = output_target(self.path, project)
        self.before = current(self.target)

    def write(self, text: str) -> None:
        """Raises Refused or OSError."""
        form = TextForm()
        if isinstance(self.before, bytes):
            with contextlib.suppress(UnicodeDecodeError):
                form = decode(self.before)[1]
        write(self.target, encode(text, form), self.before)


def replace_edited(path: Path, project: Path, data: bytes, original: bytes) -> None:
    """Write an edited document over the file it was read from, unless the
    file no longer holds `original`. Raises Refused or OSError."""
    write(edit_target(path, project), data, original)
