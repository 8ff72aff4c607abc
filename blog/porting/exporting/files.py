"""Writing an export's files inside OUTDIR, never through a symbolic link.

OUTDIR may already hold files (``--overwrite``), among them links put there by someone else:
``src -> /etc`` or ``post.md -> ~/.bashrc``. Following them would write outside OUTDIR. So a
file is reached one folder at a time from OUTDIR itself (``O_NOFOLLOW`` at each step, relative
to the folder opened before, so a link swapped in meanwhile is not followed either), and a
link on the way or in the file's place is refused with ``LinkRefused``, naming it: the export
does not write that file, says so, and ends in an error. The link is left as it is (removing
a link someone made is their call). The file itself is written beside its name and renamed
over it: complete or absent, and never written into whatever a hard link shares it with.
OUTDIR itself may be a link: the user named it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path, PurePosixPath


class LinkRefused(Exception):
    """A symbolic link (or a path out of OUTDIR) where the export would write."""


def write_inside(outdir: Path, relative: str | PurePosixPath, data: bytes) -> Path:
    """Write ``data`` at ``outdir / relative``, making folders; returns that path."""
    rel = PurePosixPath(relative)
    if rel.is_absolute() or not rel.parts or ".." in rel.parts:
        raise LinkRefused(f"{outdir / rel}: not a path inside {outdir}")
    fd = os.open(outdir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for depth, part in enumerate(rel.parts[:-1], start=1):
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=fd)
            try:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(part, fd):
                    raise _refused(outdir.joinpath(*rel.parts[:depth]), part, fd) from None
                raise
            os.close(fd)
            fd = inner
        name = rel.parts[-1]
        if _is_link(name, fd):
            raise _refused(outdir / rel, name, fd)
        _replace(name, fd, data)
    finally:
        os.close(fd)
    return outdir / rel


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False


def _refused(path: Path, name: str, dir_fd: int) -> LinkRefused:
    target = os.readlink(name, dir_fd=dir_fd)
    return LinkRefused(f"{path}: is a symbolic link (to {target}); not written through")


def _replace(name: str, dir_fd: int, data: bytes) -> None:
    partial = f".carnet-{secrets.token_hex(6)}.part"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    out = os.open(partial, flags, 0o666, dir_fd=dir_fd)
    try:
        with os.fdopen(out, "wb") as file:
            file.write(data)
        os.replace(partial, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial, dir_fd=dir_fd)
        raise
