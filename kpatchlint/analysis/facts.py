"""Get FileFacts for file states: memory, then the SQLite cache, then tree-sitter (in parallel)."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable

from kpatchlint.c.extract import extract_facts, extract_fragments
from kpatchlint.c.model import FileFacts
from kpatchlint.cache import FactsCache
from kpatchlint.location import Confidence
from kpatchlint.tree.snapshot import FileState

PARALLEL_MIN_BYTES = 2_000_000  # below this a process pool costs more than it saves


def _extract_one(job: tuple[str, str, bytes | None, list[tuple[int, str]] | None, bool]) -> FileFacts:
    path, digest, data, chunks, partial = job
    if data is not None:
        return extract_facts(path, data, digest, cap=Confidence.MEDIUM if partial else Confidence.HIGH)
    return extract_fragments(path, chunks or [], digest)


class FactsProvider:
    def __init__(self, cache: FactsCache | None = None, jobs: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.cache = cache
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self.memory: dict[tuple[str, str], FileFacts] = {}
        self.progress = progress
        self.parsed_files = 0
        self.parsed_bytes = 0

    def get_many(self, states: Iterable[FileState]) -> dict[str, FileFacts]:
        out: dict[str, FileFacts] = {}
        todo: list[FileState] = []
        pending: dict[tuple[str, str], FileState] = {}
        for st in states:
            key = (st.path, st.digest)
            if key in pending:  # the same version twice (several snapshots in one call): parse once
                continue
            hit = self.memory.get(key)
            if hit is None and self.cache is not None and st.is_full and not st.partial:
                hit = self.cache.get(st.path, st.digest)
                if hit is not None:
                    self.memory[key] = hit
            if hit is not None:
                out[st.path] = hit
            else:
                todo.append(st)
                pending[key] = st
        if todo:
            jobs = [(st.path, st.digest, st.data() if st.is_full else None,
                     None if st.is_full else st.chunks(), st.partial) for st in todo]
            size = sum(len(j[2] or b"") for j in jobs)
            self.parsed_files += len(jobs)
            self.parsed_bytes += size
            results: list[FileFacts]
            if self.jobs > 1 and size >= PARALLEL_MIN_BYTES and len(jobs) > 4:
                # biggest first so the pool stays busy to the end
                order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][2] or b""))
                with ProcessPoolExecutor(self.jobs) as pool:
                    res = list(pool.map(_extract_one, [jobs[i] for i in order],
                                        chunksize=1 if len(jobs) < 400 else 4))
                results = [None] * len(jobs)  # type: ignore[list-item]
                for i, r in zip(order, res):
                    results[i] = r
            else:
                results = [_extract_one(j) for j in jobs]
            fresh = []
            for st, facts in zip(todo, results):
                self.memory[(st.path, st.digest)] = facts
                out[st.path] = facts
                if st.is_full and not st.partial:
                    fresh.append(facts)
            if self.cache is not None:
                self.cache.put_many(fresh)
        return out
