"""Everything a portfolio run writes goes into its output folder, each write
atomic and never through a link:

- a file is written to a temporary file in the folder, then renamed over
  its name, so that a reader sees the old file or the new one, whole;
- the site is built into a temporary folder inside the output folder, then
  swapped in for the old one;
- a name that is a link, or not a regular file or folder, is refused: a
  link planted in the output folder would send the write elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


class OutputError(Exception):
    """Why the output folder cannot be written, in one line."""


class OutputFolder:
    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {self.path}: {exc.strerror or exc}") from None
        if not self.path.is_dir():
            raise OutputError(f"{self.path} is not a folder")

    def _target(self, name: str, kind: int) -> Path:
        """The path of `name` in the folder; refused when it is a link or
        not of the kind written (a regular file, or a folder)."""
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise OutputError(f"{name!r} is not a name in the output folder")
        target = self.path / name
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            return target
        if stat.S_IFMT(info.st_mode) != kind:
            what = "a link" if stat.S_ISLNK(info.st_mode) else "not what is written there"
            raise OutputError(f"{target} is {what}: not written")
        return target

    def write(self, name: str, data: bytes) -> Path:
        """Write a file atomically."""
        with self._replacing(name, "wb") as file:
            file.write(data)
        return self.path / name

    def writer(self, name: str) -> contextlib.AbstractContextManager[TextIO]:
        """A text file written in pieces, then renamed over `name` at once;
        left out when writing fails."""
        return self._replacing(name, "w", encoding="utf-8", newline="")

    @contextlib.contextmanager
    def _replacing(self, name: str, mode: str, **options) -> Iterator:
        """A new file beside `name`, synced and renamed over it once the
        block ends; removed when the block fails."""
        target = self._target(name, stat.S_IFREG)
        handle, temporary = tempfile.mkstemp(dir=self.path, prefix=f".{name}.")
        try:
            with os.fdopen(handle, mode, **options) as file:
                yield file
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    @contextlib.contextmanager
    def scratch(self, prefix: str) -> Iterator[Path]:
        """A temporary folder inside the output folder, removed afterwards."""
        folder = Path(tempfile.mkdtemp(dir=self.path, prefix=f".{prefix}-"))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def replace_folder(self, name: str, built: Path) -> Path:
        """Put a folder built in scratch space in place of `name`."""
        target = self._target(name, stat.S_IFDIR)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=self.path, prefix=f".{name}-old-"))
            os.replace(target, old / name)
        os.replace(built, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return target
