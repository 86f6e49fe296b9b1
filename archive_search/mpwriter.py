"""Whoosh's multi-process index writer, with workers that fail quietly and leave Ctrl-C to arch.

Big imports and rebuilds index with worker processes (``index.procs``). Whoosh's own workers
(``SubWriterTask``) print a traceback for anything that goes wrong in them, and two things do
in normal use: a Ctrl-C, which the terminal sends to every process of the command, and a full
disk. Worse, the writer does not notice a worker that died: it waits for ever for room on the
job queue once no worker takes jobs off it, or commits the index without the dead worker's
part. Here a worker ignores Ctrl-C (the writer stops it), and on any error puts a one-line
account of it on a queue of failures, takes the remaining jobs off the job queue so that the
writer never blocks, and exits; the writer raises that error before it hands out more work
and before it commits, so the index is committed whole or not at all.

Imported only by a writer that uses more than one process: it imports Whoosh.
"""

from __future__ import annotations

import contextlib
import signal
from multiprocessing import SimpleQueue
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter


class ParallelWriter(MpWriter):
    """``MpWriter`` whose workers report their failures, always in multisegment mode (each
    worker's documents become a segment of their own, with no merge by the writer)."""

    def __init__(self, ix: Any, procs: int, **kwargs: Any) -> None:
        # unlocked: the caller holds Whoosh's lock (and the workers never take it)
        super().__init__(ix, procs=procs, multisegment=True, subargs=dict(kwargs), _lk=False,
                         **kwargs)
        self.failures: SimpleQueue[tuple[int | None, str]] = SimpleQueue()

    def _new_task(self) -> SubWriterTask:
        task = _Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                       self.subargs, self.multisegment, failures=self.failures)
        self.tasks.append(task)
        # Ctrl-C held back while the worker is forked: the worker starts with it blocked and
        # then ignores it; the writer gets a Ctrl-C that came meanwhile as soon as it is forked
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            task.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return task

    def _enqueue(self) -> None:
        self.raise_failure()
        super()._enqueue()

    def _commit_toc(self, segments: list[Any]) -> None:
        # every worker has been joined by now: one that failed, or died without a word
        # (killed by the kernel for lack of memory), leaves the index as it was
        self.raise_failure()
        lost = [task.exitcode for task in self.tasks if task.exitcode != 0]
        if lost:
            raise RuntimeError(f"an indexing process ended with exit status {lost[0]}")
        super()._commit_toc(segments)

    def raise_failure(self) -> None:
        """Raise the error a worker reported, if any: an OSError as such (a full disk), anything
        else as a RuntimeError (a bug)."""
        if self.failures.empty():
            return
        number, message = self.failures.get()
        if number is not None:
            raise OSError(number, message)
        raise RuntimeError(f"an indexing process failed: {message}")


class _Worker(SubWriterTask):
    """One indexing process: takes job files off the job queue until told to finish, then
    puts its segment on the result queue."""

    def __init__(self, *args: Any, failures: SimpleQueue[tuple[int | None, str]]) -> None:
        super().__init__(*args)
        self.failures = failures

    def run(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the writer stops its workers itself
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        waiting = True  # for jobs, until the None that says there are no more
        try:
            ix = self.storage.open_index(self.indexname)
            writer = self.writer = SegmentWriter(ix, _lk=False, **self.kwargs)
            while (job := self.jobqueue.get()) is not None:
                self._process_file(*job)
            waiting = False
            segment = writer._finalize_segment()
            self.resultqueue.put((None, writer.pool.fieldnames, segment), timeout=5)
        except BaseException as exc:  # reported to the writer, which raises it
            number = exc.errno if isinstance(exc, OSError) else None
            text = (exc.strerror if isinstance(exc, OSError) else None) or (
                f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(OSError, ValueError):  # the writer is gone: nobody to tell
                self.failures.put((number, text))
            while waiting and self.jobqueue.get() is not None:
                pass
            raise SystemExit(1) from None
