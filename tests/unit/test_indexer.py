"""The name index and the grep layers: same answers as grep, incremental updates, freshness."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kpatchlint.cache import FactsCache
from kpatchlint.indexer import NameIndex, answer_from_index, build_index, tokens_of, worth_parsing
from kpatchlint.tree.source import DirTree, GitTree, blob_id, tree_listing

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "trees" / "swap"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(FIXTURE, root)
    (root / "drivers").mkdir()
    (root / "drivers" / "regs.h").write_text(
        "/*\n * Copyright (C) the authors (see COPYING)\n */\n#define mmREG_A 0x1234\n#define mmREG_B (0x10 | 0x2)\n"
        "#define REG_MASK 0xffL\n")
    (root / "drivers" / "user.c").write_text(
        "#include <linux/swap.h>\n/* folio_put in a comment only: a word for grep */\n"
        "static int drv_probe(void)\n{\n\treturn swap_cache_get_folio(0, 0, 0) != 0;\n}\n")
    (root / "drivers" / "funny-word.c").write_text("int x = folio_putter + _folio_put + folio_put2;\n")
    return root


def _grep(root: Path, names: list[str]) -> dict[str, set[str]]:
    t = DirTree(root)
    t.cache_dir = None
    return t.grep_names(names)


NAMES = ["folio_put", "swap_cache_get_folio", "drv_probe", "mmREG_A", "REG_MASK", "folio_putter",
         "nothing_at_all", "swap_free", "free_swap_and_cache", "CONFIG_SWAP"]


def test_tokens_are_grep_words():
    assert tokens_of(b"a_b(c1,d) 12ab x__y-z") == {b"a_b", b"c1", b"d", b"x__y", b"z"}
    assert tokens_of(b"foo\0bar") == set()  # binary: git grep -I skips it


def test_cheap_look():
    assert not worth_parsing(b"/*\n * (c) someone\n */\n#define A 1\n#define B (A + 1)\n#if defined(X)\n#endif\n")
    assert worth_parsing(b"#define F(x) ((x) + 1)\n")
    assert worth_parsing(b"int f(void);\n")
    assert worth_parsing(b"struct s { int (*op)(void); };\n")
    assert not worth_parsing(b"struct s { int a; };\n")


def test_index_answers_like_grep(tmp_path):
    root = _tree(tmp_path)
    cache = tmp_path / "cache"
    st = build_index(root, cache, jobs=1)
    assert st.files == len(tree_listing(root)) and st.skipped == 2  # drivers/regs.h, drivers/funny-word.c
    idx = NameIndex.open(cache, root)
    assert idx is not None and idx.complete
    ans = answer_from_index(idx, NAMES, tree_listing(root), "stat", lambda p: (root / p).read_bytes())
    idx.close()
    assert ans is not None and ans.reread == 0
    assert ans.found == {n: _grep(root, NAMES).get(n, set()) for n in NAMES}
    # the facts of parsed files are in the facts cache, keyed by blob id
    fc = FactsCache(cache)
    data = (root / "mm" / "swapfile.c").read_bytes()
    assert fc.get("mm/swapfile.c", blob_id(data)) is not None
    assert not fc.has("drivers/regs.h", blob_id((root / "drivers" / "regs.h").read_bytes()))
    fc.close()


def _edit(root: Path) -> None:
    with open(root / "mm" / "memory.c", "a") as f:
        f.write("\nint brand_new_fn(void) { return folio_putter(2); }\n")
    (root / "drivers" / "user.c").unlink()
    (root / "mm" / "added.c").write_text("void added_thing(void) { brand_new_fn(); }\n")


def test_stale_index_rereads_the_changed_files(tmp_path):
    root = _tree(tmp_path)
    cache = tmp_path / "cache"
    build_index(root, cache, jobs=1)
    _edit(root)
    names = NAMES + ["brand_new_fn", "added_thing"]
    idx = NameIndex.open(cache, root)
    ans = answer_from_index(idx, names, tree_listing(root), "stat", lambda p: (root / p).read_bytes())
    assert ans is not None and ans.reread == 2
    assert ans.found == {n: _grep(root, names).get(n, set()) for n in names}
    # too many differences: no answer (the caller searches)
    assert answer_from_index(idx, names, tree_listing(root), "stat", lambda p: None, max_changed=1) is None
    idx.close()


def test_reindex_reads_only_changed_files(tmp_path):
    root = _tree(tmp_path)
    cache = tmp_path / "cache"
    build_index(root, cache, jobs=1)
    # many files: the overlay path (under a quarter of the files changed)
    for i in range(12):
        (root / "mm" / f"extra{i}.c").write_text(f"int extra{i}(void) {{ return {i}; }}\n")
    build_index(root, cache, jobs=1)
    _edit(root)
    st = build_index(root, cache, jobs=1)
    assert not st.rebuilt_names and st.parsed == 2 and st.unchanged == st.files - 2
    names = NAMES + ["brand_new_fn", "added_thing", "extra3"]
    idx = NameIndex.open(cache, root)
    ans = answer_from_index(idx, names, tree_listing(root), "stat", lambda p: (root / p).read_bytes())
    idx.close()
    assert ans is not None and ans.reread == 0
    assert ans.found == {n: _grep(root, names).get(n, set()) for n in names}


def test_dirtree_uses_cache_then_index(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.setattr(DirTree, "PERSIST_MIN_FILES", 0)
    monkeypatch.setattr(DirTree, "RACY_SECONDS", 0)
    t = DirTree(root)
    t.cache_dir = cache
    first = t.grep_names(NAMES)
    assert t.grep_stats["searches"] == 1
    t2 = DirTree(root)
    t2.cache_dir = cache
    assert t2.grep_names(NAMES) == first
    assert t2.grep_stats["searches"] == 0 and t2.grep_stats["cache"] == len(NAMES)
    # a changed tree has another identity: the index answers (after it is built), no search
    build_index(root, cache, jobs=1)
    time.sleep(0.01)
    _edit(root)
    t3 = DirTree(root)
    t3.cache_dir = cache
    names = NAMES + ["brand_new_fn"]
    got = t3.grep_names(names)
    assert t3.grep_stats["searches"] == 0 and t3.grep_stats["index"] == len(names)
    assert got == {n: _grep(root, names).get(n, set()) for n in names}
    # --no-cache: always a search
    t4 = DirTree(root)
    t4.cache_dir = None
    t4.grep_names(["folio_put"])
    assert t4.grep_stats["searches"] == 1


def test_grep_async_gives_the_same_answer(tmp_path):
    root = _tree(tmp_path)
    t = DirTree(root)
    t.cache_dir = None
    fut = t.grep_async(NAMES)
    assert fut.result(timeout=60) == _grep(root, NAMES)
    assert t.grep_files(["drv_probe"]) == {"drivers/user.c"}


@pytest.mark.skipif(shutil.which("git") is None, reason="git missing")
def test_gittree_identity_and_index(tmp_path):
    root = _tree(tmp_path)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)
    cache = tmp_path / "cache"
    build_index(root, cache, jobs=1)
    _edit(root)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "edit"], cwd=root, check=True, env=env)
    names = NAMES + ["brand_new_fn", "added_thing"]
    for rev in ("HEAD~1", "HEAD"):
        g = GitTree(root, rev)
        g.cache_dir = None
        want = g.grep_names(names)
        gi = GitTree(root, rev)
        gi.cache_dir = cache
        assert gi.identity().startswith("git:")
        assert gi.grep_names(names) == want
        assert gi.grep_stats["searches"] == 0
        g.close()
        gi.close()


def test_random_names_agree_with_grep(tmp_path):
    root = _tree(tmp_path)
    cache = tmp_path / "cache"
    build_index(root, cache, jobs=2)
    rnd = random.Random(3)
    words = sorted({w.decode() for p in tree_listing(root) for w in tokens_of((root / p).read_bytes())})
    names = rnd.sample(words, 60)
    idx = NameIndex.open(cache, root)
    ans = answer_from_index(idx, names, None, "stat", lambda p: None)
    idx.close()
    assert ans is not None
    assert ans.found == {n: _grep(root, names).get(n, set()) for n in names}


@pytest.mark.skipif(shutil.which("git") is None, reason="git missing")
def test_dirtree_on_a_git_checkout(tmp_path, monkeypatch):
    monkeypatch.setattr(DirTree, "PERSIST_MIN_FILES", 0)
    root = _tree(tmp_path)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)
    cache = tmp_path / "cache"
    build_index(root, cache, jobs=1)
    t = DirTree(root)
    t.cache_dir = cache
    assert t.identity().startswith("gitwt:")  # clean: named by the index's blob ids
    assert t.grep_names(NAMES) == _grep(root, NAMES)
    assert t.grep_stats["searches"] == 0 and t.grep_stats["index"] == len(NAMES)
    # an unstaged edit: the stat fingerprint takes over, the index still answers (one file re-read)
    with open(root / "mm" / "memory.c", "a") as f:
        f.write("\nint brand_new_fn(void) { return 0; }\n")
    t2 = DirTree(root)
    t2.cache_dir = cache
    monkeypatch.setattr(DirTree, "RACY_SECONDS", 0)
    assert t2.identity().startswith("dir:")
    names = NAMES + ["brand_new_fn"]
    assert t2.grep_names(names) == _grep(root, names)
    assert t2.grep_stats["searches"] == 0 and t2.grep_stats["reread"] == 1
