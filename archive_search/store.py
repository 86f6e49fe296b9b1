"""The corpus: one article file per article, the archive's source of truth.

Files live at ``corpus/YYYY/MM/<id>.md`` (``corpus/undated/<id>.md`` without a date). Every write
goes to a hidden temporary file in the target folder and is renamed into place, so a reader or a
crash never sees half a file; leftovers of a killed writer (``.tmp-*``) are ignored and cleaned.

Earlier versions of an article live in ``corpus/.versions/<id>/<n>.md``, each a complete article
file as it was before an update replaced it. The folder is hidden so that every scan of live
articles (this one, an older arch, a static-site generator) passes it by; it belongs to
``corpus/`` all the same, so a copy, a sync or a ``git add`` of ``corpus/`` keeps it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from stat import S_ISDIR

from . import articlefile
from .article import Article, is_safe_id
from .errors import storage_error

ARTICLE_SUFFIX = ".md"
TMP_PREFIX = ".tmp-"
#: The folder inside corpus/ that keeps the earlier versions of articles.
VERSIONS = ".versions"
#: Folders inside corpus/ that never hold live articles.
SKIP_DIRS = {".quarantine"}
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})")
#: The name of a version file without its suffix: 1, 2, … (no leading zeros, ASCII digits).
VERSION_NUMBER = re.compile(r"[1-9][0-9]*")
#: A folder's digest sums ``mtime_ns * _MTIME_MIX + size`` over its article files, modulo
#: 2**64. The multiplier is odd, so a change of any one file's time or size always changes
#: the sum; names need no part in it, since a file added, removed or renamed moves its
#: folder's own time, which is compared as well.
_MTIME_MIX = 0xC2B2AE3D27D4EB4F
_DIGEST_BITS = (1 << 64) - 1


def folder_of(rel: str) -> str:
    """The folder of an article path as :meth:`Corpus.folder_stamps` names it: ``"2023/09/"``,
    or ``"."`` for a file directly in ``corpus/``."""
    cut = rel.rfind("/")
    return rel[:cut + 1] if cut >= 0 else "."


def stamp_digest(stamps: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """``(count, digest)`` of a folder's ``(mtime_ns, size)`` stamps, in any order: equal
    for the same files as they were, different (but for a 2**-64 chance) after any edit."""
    count = total = 0
    for mtime, size in stamps:
        total += mtime * _MTIME_MIX + size
        count += 1
    return count, total & _DIGEST_BITS


def adjust_digest(digest: tuple[int, int], removed: Iterable[tuple[int, int]],
                  added: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """A folder's ``(count, digest)`` with the stamps ``removed`` taken out and ``added`` put
    in: a sum modulo 2**64 can be updated without the other files."""
    out_count, out_sum = stamp_digest(removed)
    in_count, in_sum = stamp_digest(added)
    return digest[0] - out_count + in_count, (digest[1] - out_sum + in_sum) & _DIGEST_BITS


class Corpus:
    """The ``corpus/`` folder of an archive."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def relpath_for(self, article: Article) -> str:
        """Where an article belongs, relative to ``corpus/``: by year and month of its date."""
        if not article.id or not is_safe_id(article.id):
            raise ValueError(f"unsafe article id: {article.id!r}")
        m = _YEAR_MONTH.match(article.date or "")
        folder = f"{m[1]}/{m[2]}" if m else "undated"
        return f"{folder}/{article.id}{ARTICLE_SUFFIX}"

    def write(self, article: Article, relpath: str | None = None) -> str:
        """Write the article atomically and return its path relative to ``corpus/``."""
        rel = relpath or self.relpath_for(article)
        target = self.root / rel
        atomic_write_text(target, articlefile.dumps(article))
        return rel

    def version_numbers(self, article_id: str) -> dict[int, str]:
        """The kept earlier versions of an article: ``number -> path relative to corpus/``."""
        found: dict[int, str] = {}
        folder = self.root / VERSIONS / article_id
        try:
            names = os.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            return found
        for name in names:
            stem = name[: -len(ARTICLE_SUFFIX)]
            if name.endswith(ARTICLE_SUFFIX) and VERSION_NUMBER.fullmatch(stem):
                found[int(stem)] = f"{VERSIONS}/{article_id}/{name}"
        return dict(sorted(found.items()))

    def keep_version(self, article_id: str, number: int, data: bytes) -> str:
        """Keep ``data`` (an article file as it was) as version ``number`` of the article, and
        make it durable at once: the current file is replaced only after this returns, so
        the old text survives a kill or a power cut in between. Returns its path."""
        if not is_safe_id(article_id):
            raise ValueError(f"unsafe article id: {article_id!r}")
        rel = f"{VERSIONS}/{article_id}/{number}{ARTICLE_SUFFIX}"
        target = self.root / rel
        new_folder = not target.parent.is_dir()
        atomic_write_bytes(target, data)
        folders = [target.parent, *([target.parent.parent, self.root] if new_folder else [])]
        for path in (target, *folders):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        return rel

    def version_files(self) -> Iterator[tuple[str, str]]:
        """Every file below ``corpus/.versions/`` as ``(folder name, relpath)``, temporary
        files left out: what ``arch check`` inspects."""
        base = self.root / VERSIONS
        try:
            folders = sorted(os.scandir(base), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return
        for folder in folders:
            if not folder.is_dir(follow_symlinks=False):
                yield "", f"{VERSIONS}/{folder.name}"
                continue
            with os.scandir(folder.path) as it:
                names = sorted(e.name for e in it)
            for name in names:
                if not name.startswith(TMP_PREFIX):
                    yield folder.name, f"{VERSIONS}/{folder.name}/{name}"

    def make_durable(self, relpaths: list[str]) -> None:
        """Flush written files to disk before the index records them (power-loss safety).

        A few files are fsynced one by one with their folders; a large batch is flushed with
        one ``os.sync``, which is far cheaper than thousands of fsyncs.
        """
        if len(relpaths) > 256:
            os.sync()
            return
        folders = set()
        for rel in relpaths:
            path = self.root / rel
            with contextlib.suppress(FileNotFoundError):
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            folders.add(path.parent)
        for folder in folders:
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def read_body(self, relpath: str) -> str:
        """Only the body of an article file, without parsing its front matter: what search
        snippets need, at a fraction of the cost."""
        with open(self.root / relpath, encoding="utf-8") as fh:
            text = fh.read()
        return articlefile.body_of(text)

    def read(self, relpath: str) -> Article:
        """Parse one article file (raises OSError, UnicodeDecodeError or ArticleFileError)."""
        with open(self.root / relpath, encoding="utf-8") as fh:
            return articlefile.loads(fh.read())

    def scan(self) -> dict[str, tuple[int, int]]:
        """Every article file as ``relpath -> (mtime_ns, size)``, by a walk of stat calls only,
        each folder in name order (its subfolders walked where their names fall). One tight
        loop per folder: ``arch index`` with nothing changed is mostly this walk."""
        found: dict[str, tuple[int, int]] = {}
        self._scan_into(str(self.root), "", found)
        return found

    def _scan_into(self, path: str, rel: str, found: dict[str, tuple[int, int]]) -> None:
        try:
            it = os.scandir(path)
        except (FileNotFoundError, NotADirectoryError):
            return
        with it:
            entries = sorted(it, key=_name)
        for entry in entries:
            stamp = _article_stamp(entry)
            if stamp is not None:
                found[rel + entry.name] = stamp
            elif entry.is_dir(follow_symlinks=False) and _live_dir(entry.name):
                self._scan_into(entry.path, f"{rel}{entry.name}/", found)

    def scan_folder(self, folder: str) -> dict[str, tuple[int, int]]:
        """The article files directly in one folder (``"."`` or ``"2023/09/"``, as
        :meth:`folder_stamps` names them), as :meth:`scan` lists them."""
        rel = "" if folder == "." else folder
        found: dict[str, tuple[int, int]] = {}
        try:
            it = os.scandir(self.root / rel)
        except (FileNotFoundError, NotADirectoryError):
            return found
        with it:
            for entry in it:
                stamp = _article_stamp(entry)
                if stamp is not None:
                    found[f"{rel}{entry.name}"] = stamp
        return found

    def survey(self, clean: bool = False) -> dict[str, tuple[int, int, int]]:
        """Every live folder as ``folder -> (its mtime_ns, article files, stamp digest)``
        (:func:`stamp_digest`): one ``stat`` per file, and no table of every file built, so
        that ``arch index`` and ``arch stats`` compare a few hundred folders with the
        manifest's, not every file, when nothing changed. Each folder's time is read before
        its listing: a file added meanwhile leaves the folder looking changed next time.

        With ``clean`` (the caller holds the write lock) the temporary files a killed writer
        left are removed in the same walk, as :meth:`clean_temporaries` would in a walk of
        its own: ``arch index`` with nothing changed is mostly these two walks."""
        found: dict[str, tuple[int, int, int]] = {}
        stack = [(str(self.root), "")]
        while stack:
            path, rel = stack.pop()
            try:
                fd = os.open(path, _FOLDER_FLAGS)
            except (FileNotFoundError, NotADirectoryError):
                continue
            try:
                surveyed = _survey_folder(fd, clean)
            finally:
                os.close(fd)
            found[rel or "."] = surveyed[:3]
            stack.extend((os.path.join(path, name), f"{rel}{name}/") for name in surveyed[3])
        if clean:
            _remove_temporaries([str(self.root / VERSIONS)])
        return found

    def find(self, article_id: str) -> str | None:
        """The path of ``<article_id>.md`` in any folder, by one stat call per folder: for an
        article file that the index does not know yet (added by hand)."""
        if not is_safe_id(article_id):
            return None
        for folder in sorted(self.folder_stamps()):
            rel = f"{'' if folder == '.' else folder}{article_id}{ARTICLE_SUFFIX}"
            if (self.root / rel).is_file():
                return rel
        return None

    def folder_stamps(self) -> dict[str, int]:
        """The mtime of every folder: a file added, removed or renamed changes its folder's.

        On file systems that count subfolders in a folder's link count (ext4, xfs, tmpfs), a
        folder with ``st_nlink == 2`` has none, and its thousands of files are not listed.
        """
        stamps: dict[str, int] = {}
        if not self.root.is_dir():
            return stamps
        stack = [(str(self.root), "")]
        while stack:
            path, rel = stack.pop()
            try:
                st = os.stat(path)
                stamps[rel or "."] = st.st_mtime_ns
                if st.st_nlink == 2:
                    continue
                with os.scandir(path) as it:
                    for entry in it:
                        if _live_dir(entry.name) and entry.is_dir(follow_symlinks=False):
                            stack.append((entry.path, f"{rel}{entry.name}/"))
            except FileNotFoundError:
                continue
        return stamps

    def clean_temporaries(self) -> int:
        """Remove temporary files left by a killed writer; returns how many. Every update
        starts with this walk (or :meth:`survey` does it in its own), so it is one loop over
        each folder's names, with no stat call for a file that is not a temporary."""
        return _remove_temporaries([str(self.root)])


def _remove_temporaries(stack: list[str]) -> int:
    """Remove the temporary files in the folders of ``stack`` and their live and version
    folders; returns how many."""
    removed = 0
    while stack:
        try:
            it = os.scandir(stack.pop())
        except (FileNotFoundError, NotADirectoryError):
            continue
        with it:
            for entry in it:
                name = entry.name
                if name.startswith(TMP_PREFIX):
                    if not entry.is_dir():
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(entry.path)
                            removed += 1
                elif entry.is_dir(follow_symlinks=False) and (
                        _live_dir(name) or name == VERSIONS):
                    stack.append(entry.path)
    return removed


#: How :meth:`Corpus.survey` opens a folder: its files are then looked up by name in it
#: (``dir_fd``), which spares the kernel a walk of the whole path for each.
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)


def _survey_folder(fd: int, clean: bool) -> tuple[int, int, int, list[str]]:
    """``(mtime_ns, article files, stamp digest, live subfolders)`` of the open folder
    ``fd``, its temporaries removed first with ``clean``.

    This loop is most of the time of ``arch index`` and ``arch stats`` with nothing changed,
    so it is kept tight: the names come in one call (no object per file), an article file
    costs one ``stat`` by name in the folder, and the digest is summed as
    ``MIX * sum(mtimes) + sum(sizes)``, which is :func:`stamp_digest`'s sum rearranged. A
    name that is no article file is looked at (one more ``stat``) only where a folder may
    hold subfolders: not in one whose link count says it has none (``st_nlink == 2`` on
    ext4, xfs, tmpfs: see :meth:`Corpus.folder_stamps`), such as every month folder."""
    folder = os.fstat(fd)
    names = os.listdir(fd)
    stat = os.stat
    mtimes = sizes = count = 0
    subfolders: list[str] = []
    others: list[str] = []
    for name in names:
        if name[-3:] == ARTICLE_SUFFIX and name[0] != ".":
            try:
                st = stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:  # removed while the folder was listed
                continue
            if st.st_mode & 0o170000 == 0o100000:  # S_ISREG, spelt out: the loop is hot
                mtimes += st.st_mtime_ns
                sizes += st.st_size
                count += 1
            elif S_ISDIR(st.st_mode):
                subfolders.append(name)
        elif (folder.st_nlink != 2 and _live_dir(name)) or (clean and name.startswith(TMP_PREFIX)):
            others.append(name)
    removed = False
    for name in others:
        try:
            st = stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if S_ISDIR(st.st_mode):
            if _live_dir(name):
                subfolders.append(name)
        elif clean and name.startswith(TMP_PREFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=fd)
                removed = True
    if removed:  # the folder's time moved with the removal: read it (and the files) again
        return _survey_folder(fd, clean=False)
    return folder.st_mtime_ns, count, (mtimes * _MTIME_MIX + sizes) & _DIGEST_BITS, subfolders


def _article_stamp(entry: os.DirEntry[str]) -> tuple[int, int] | None:
    """``(mtime_ns, size)`` of an article file; None for anything else, or for a file removed
    while its folder was listed."""
    name = entry.name
    if not (name.endswith(ARTICLE_SUFFIX) and not name.startswith(".")
            and entry.is_file(follow_symlinks=False)):
        return None
    try:
        st = entry.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _live_dir(name: str) -> bool:
    return not name.startswith(".") and name not in SKIP_DIRS


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the new one, never half.

    The data goes to a temporary file in the same folder, then ``os.replace`` swaps it in.
    When that fails (a full disk, a read-only folder) the temporary file is removed and a
    :class:`~archive_search.errors.StorageError` names ``target``.
    Durability against power loss is the caller's, once per batch
    (:meth:`Corpus.make_durable`), instead of one fsync per file, which would make bulk
    imports many times slower.
    """
    tmp = target.parent / f"{TMP_PREFIX}{os.getpid()}-{target.name}"
    try:
        try:
            tmp.write_bytes(data)
        except FileNotFoundError:  # a new folder: created here, not checked before every file
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, read-only, …: say which file, in one line
            raise storage_error(exc, target) from exc
        raise


def atomic_write_text(target: Path, text: str) -> None:
    """:func:`atomic_write_bytes` for text, as UTF-8 with its line ends untouched."""
    atomic_write_bytes(target, text.encode("utf-8"))
