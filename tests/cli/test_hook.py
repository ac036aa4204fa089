"""The sendemail-validate hook, driven by the real `git send-email` (Debian package git-email).

A scratch repository holds a copy of fixtures/trees/swap; a two-patch series drops the `addr`
parameter of swap_cache_update_ra() and (bad variant) leaves the caller in mm/swapfile.c:182
unchanged. The hook must stop the bad series before any mail goes out, let the fixed one
through, and never change the work tree, the index or any ref.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import missing

REPO = Path(__file__).resolve().parents[2]
SWAP = REPO / "fixtures" / "trees" / "swap"
PY = os.path.abspath(sys.executable)
TIMEOUT = 300

FINDING = "mm/swapfile.c:182: ERROR:CALL_ARG_COUNT:"


# ----------------------------------------------------------------------------- scratch repository


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "B4_"))}
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env.update({
        "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_AUTHOR_NAME": "Tester", "GIT_AUTHOR_EMAIL": "tester@example.org",
        "GIT_COMMITTER_NAME": "Tester", "GIT_COMMITTER_EMAIL": "tester@example.org",
        "LC_ALL": "C", "NO_COLOR": "1", "PYTHONPATH": str(REPO),
    })
    return env


def git(repo: Path, env: dict[str, str], *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def _sub(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def make_repo(tmp: Path, env: dict[str, str]) -> Path:
    repo = tmp / "linux"
    shutil.copytree(SWAP, repo, ignore=shutil.ignore_patterns("README.md"))
    git(repo, env, "init", "-q", "-b", "master")
    git(repo, env, "config", "user.name", "Tester")
    git(repo, env, "config", "user.email", "tester@example.org")
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "-m", "base")
    return repo


def commit_series(repo: Path, env: dict[str, str], fixed: bool) -> None:
    """Patch 1: harmless. Patch 2: drop `addr` from swap_cache_update_ra(); `fixed` also updates swapfile.c."""
    with open(repo / "mm" / "page_io.c", "a") as fh:
        fh.write("/* page_io: end of file */\n")
    git(repo, env, "commit", "-q", "-a", "-m", "mm/page_io: add an end marker")
    _sub(repo / "mm/swap.h", "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma,\n"
         "\t\t\t  unsigned long addr);", "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma);")
    _sub(repo / "mm/swap.h", "static inline void swap_cache_update_ra(struct folio *folio,\n"
         "\t\t\t\t\tstruct vm_area_struct *vma,\n\t\t\t\t\tunsigned long addr)",
         "static inline void swap_cache_update_ra(struct folio *folio,\n\t\t\t\t\tstruct vm_area_struct *vma)")
    _sub(repo / "mm/swap_state.c", " * @addr: the faulting address, only meaningful with @vma.\n", "")
    _sub(repo / "mm/swap_state.c", "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma,\n"
         "\t\t\t  unsigned long addr)", "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma)")
    _sub(repo / "mm/swap_state.c", "WRITE_ONCE(vma->swap_ra_addr, addr & PAGE_MASK);",
         "WRITE_ONCE(vma->swap_ra_hits, 1);")
    _sub(repo / "mm/memory.c", "swap_cache_update_ra(folio, vma, vmf->address);", "swap_cache_update_ra(folio, vma);")
    _sub(repo / "mm/shmem.c", "swap_cache_update_ra(folio, NULL, 0);", "swap_cache_update_ra(folio, NULL);")
    if fixed:
        _sub(repo / "mm/swapfile.c", "swap_cache_update_ra(folio, vma, addr);", "swap_cache_update_ra(folio, vma);")
    git(repo, env, "commit", "-q", "-a", "-m", "mm/swap: drop the addr argument of swap_cache_update_ra()")


def format_patch(repo: Path, env: dict[str, str], out: Path, *extra: str) -> list[Path]:
    git(repo, env, "format-patch", "-q", "-o", str(out), *extra, "HEAD~2")
    return sorted(out.glob("*.patch"))


def repo_state(repo: Path, env: dict[str, str]) -> str:
    """A digest of HEAD, every ref, the index file and every work-tree file."""
    h = hashlib.sha256()
    h.update(git(repo, env, "symbolic-ref", "-q", "HEAD", check=False).encode())
    h.update(git(repo, env, "rev-parse", "HEAD").encode())
    h.update(git(repo, env, "for-each-ref", "--format=%(refname) %(objectname)").encode())
    h.update((repo / ".git" / "index").read_bytes())
    for dirpath, dirnames, filenames in os.walk(repo):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            p = Path(dirpath) / name
            h.update(str(p.relative_to(repo)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def kpatchlint(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "kpatchlint", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


def require_send_email(env: dict[str, str]) -> None:
    if shutil.which("git") is None:
        missing("git is not installed")
    proc = subprocess.run(["git", "send-email", "-h"], env=env, capture_output=True, text=True, timeout=60)
    out = proc.stdout + proc.stderr
    if "is not a git command" in out or "[<options>]" not in out:
        missing("git send-email is not available (apt-get install -y git-email)")


def fake_sendmail(tmp: Path) -> tuple[Path, Path]:
    record = tmp / "sent.txt"
    record.write_text("")
    script = tmp / "fake-sendmail"
    script.write_text(f'#!/bin/sh\necho "== sendmail $*" >> "{record}"\ncat >> "{record}"\n')
    script.chmod(0o755)
    return script, record


def send_email(repo: Path, env: dict[str, str], sendmail: Path, patches: list[Path]) -> subprocess.CompletedProcess:
    cmd = ["git", "send-email", "--to=x@example.org", "--from=Tester <tester@example.org>", "--confirm=never",
           "--suppress-cc=all", f"--smtp-server={sendmail}", *map(str, patches)]
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return _env(tmp_path)


def install_hook(repo: Path, env: dict[str, str]) -> Path:
    proc = kpatchlint(env, repo, "hook", "install")
    assert proc.returncode == 0, proc.stderr
    hook = repo / ".git" / "hooks" / "sendemail-validate"
    assert hook.is_file() and os.access(hook, os.X_OK)
    return hook


# ----------------------------------------------------------------------------- install / uninstall


def test_install_chains_an_existing_hook_and_uninstall_restores_it(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    calls = tmp_path / "calls.txt"
    old = hooks / "sendemail-validate"
    original = f'#!/bin/sh\necho "old hook $1" >> "{calls}"\nexit 0\n'
    old.write_text(original)
    old.chmod(0o755)

    hook = install_hook(repo, env)
    chained = hooks / "sendemail-validate.kpatchlint-chained"
    assert chained.read_text() == original
    text = hook.read_text()
    assert "kpatchlint-hook" in text and PY in text and "-m kpatchlint hook sendemail-validate" in text

    # installing again updates our hook in place and keeps the chained one
    assert kpatchlint(env, repo, "hook", "install").returncode == 0
    assert chained.read_text() == original and "kpatchlint-hook" in hook.read_text()

    # the hook runs the chained hook first, with the same arguments
    mail = tmp_path / "note.txt"
    mail.write_text("Subject: hello\n\nnot a patch\n")
    proc = subprocess.run([str(hook), str(mail)], cwd=repo, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert calls.read_text() == f"old hook {mail}\n"

    # a failing chained hook stops the send by itself
    chained.write_text("#!/bin/sh\nexit 3\n")
    proc = subprocess.run([str(hook), str(mail)], cwd=repo, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 3
    chained.write_text(original)

    proc = kpatchlint(env, repo, "hook", "uninstall")
    assert proc.returncode == 0, proc.stderr
    assert old.read_text() == original and not chained.exists()
    assert stat.S_IMODE(old.stat().st_mode) & 0o100


def test_install_honours_core_hookspath_and_refuses_foreign_uninstall(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    git(repo, env, "config", "core.hooksPath", "my-hooks")
    proc = kpatchlint(env, repo / "mm", "hook", "install", "--repo", str(repo))
    assert proc.returncode == 0, proc.stderr
    hook = repo / "my-hooks" / "sendemail-validate"
    assert hook.is_file() and "kpatchlint-hook" in hook.read_text()
    assert not (repo / ".git" / "hooks" / "sendemail-validate").exists()
    assert kpatchlint(env, repo, "hook", "uninstall").returncode == 0
    assert not hook.exists()

    hook.write_text("#!/bin/sh\nexit 0\n")
    proc = kpatchlint(env, repo, "hook", "uninstall")
    assert proc.returncode == 2 and "not installed by kpatchlint" in proc.stderr
    assert hook.exists()


# ----------------------------------------------------------------------------- real git send-email


@pytest.mark.real
def test_send_email_stops_the_bad_series_before_any_mail(tmp_path: Path, env) -> None:
    require_send_email(env)
    repo = make_repo(tmp_path, env)
    commit_series(repo, env, fixed=False)
    patches = format_patch(repo, env, tmp_path / "out")
    install_hook(repo, env)
    sendmail, record = fake_sendmail(tmp_path)
    before = repo_state(repo, env)

    proc = send_email(repo, env, sendmail, patches)

    assert proc.returncode != 0
    assert record.read_text() == "", "a mail went out"
    out = proc.stdout + proc.stderr
    assert FINDING in out and "swap_cache_update_ra" in out
    assert "rejected by sendemail-validate hook" in out
    assert repo_state(repo, env) == before


@pytest.mark.real
def test_send_email_lets_the_fixed_series_through(tmp_path: Path, env) -> None:
    require_send_email(env)
    repo = make_repo(tmp_path, env)
    commit_series(repo, env, fixed=True)
    patches = format_patch(repo, env, tmp_path / "out", "--cover-letter")
    _sub(patches[0], "*** SUBJECT HERE ***", "mm/swap: drop the addr argument")
    _sub(patches[0], "*** BLURB HERE ***", "The address is not needed.")
    install_hook(repo, env)
    sendmail, record = fake_sendmail(tmp_path)
    before = repo_state(repo, env)

    proc = send_email(repo, env, sendmail, patches)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    sent = record.read_text()
    assert sent.count("== sendmail") == 3
    assert "Subject: [PATCH 1/2] mm/page_io: add an end marker" in sent
    assert "Subject: [PATCH 2/2] mm/swap: drop the addr argument of swap_cache_update_ra()" in sent
    assert "x@example.org" in sent
    assert "ERROR:" not in proc.stderr
    assert repo_state(repo, env) == before


# ----------------------------------------------------------------------------- git >= 2.42: counted files


def run_like_git_242(hook: Path, repo: Path, env: dict[str, str], files: list[Path],
                     tmp: Path) -> list[subprocess.CompletedProcess]:
    """Call the installed hook as git >= 2.42 does: once per file, cwd = work tree, GIT_DIR set,
    $1 = the mail, $2 = an SMTP headers file, GIT_SENDEMAIL_FILE_COUNTER/TOTAL in the environment."""
    results = []
    for i, mail in enumerate(files, 1):
        headers = tmp / f"header.{i}"
        headers.write_text(f"From: Tester <tester@example.org>\nTo: x@example.org\nMessage-ID: <{i}@example.org>\n")
        e = dict(env, GIT_DIR=str(repo / ".git"), GIT_SENDEMAIL_FILE_COUNTER=str(i),
                 GIT_SENDEMAIL_FILE_TOTAL=str(len(files)))
        results.append(subprocess.run([str(hook), str(mail), str(headers)], cwd=repo, env=e, capture_output=True,
                                      text=True, timeout=TIMEOUT))
    return results


def _state_dir(repo: Path, total: int) -> Path:
    from kpatchlint.workflow.hook import _proc_cmdline, _proc_parent, state_dir

    # the hook's python is exec'd by the hook script that this process starts: its sender is us,
    # unless an ancestor of ours mentions send-email (see test_sender_pid_...)
    chain, pid = [], os.getpid()
    while pid and pid > 1 and len(chain) < 8:
        chain.append(pid)
        pid = _proc_parent(pid) or 0
    sender = next((p for p in chain if any("send-email" in a for a in _proc_cmdline(p))), os.getpid())
    return state_dir(repo, total, pid=sender)


def test_counted_files_check_the_whole_series_on_the_last_file(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    commit_series(repo, env, fixed=False)
    files = format_patch(repo, env, tmp_path / "out", "--cover-letter")
    assert len(files) == 3
    hook = install_hook(repo, env)
    before = repo_state(repo, env)

    results = run_like_git_242(hook, repo, env, files, tmp_path)

    assert [r.returncode for r in results] == [0, 0, 1], [r.stderr for r in results]
    assert results[0].stderr == results[1].stderr == ""
    last = results[2].stderr
    assert f"{FINDING} too many arguments to function 'swap_cache_update_ra' (expected 2, have 3) (patch 2/2)" in last
    assert "the series (2 patches)" in last and "matching patch 1 by patch-id" in last
    assert not _state_dir(repo, 3).exists(), "state left behind"
    assert repo_state(repo, env) == before


def test_counted_files_pass_the_fixed_series_and_keep_state_between_files(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    commit_series(repo, env, fixed=True)
    files = format_patch(repo, env, tmp_path / "out")
    hook = install_hook(repo, env)

    e = dict(env, GIT_DIR=str(repo / ".git"), GIT_SENDEMAIL_FILE_COUNTER="1", GIT_SENDEMAIL_FILE_TOTAL="2")
    p1 = subprocess.run([str(hook), str(files[0]), str(tmp_path / "h")], cwd=repo, env=e, capture_output=True,
                        text=True, timeout=TIMEOUT)
    assert p1.returncode == 0 and p1.stderr == ""
    state = _state_dir(repo, 2)
    assert state.is_dir() and len(list(state.glob("*.mail"))) == 1
    assert stat.S_IMODE(state.parent.stat().st_mode) == 0o700
    e["GIT_SENDEMAIL_FILE_COUNTER"] = "2"
    p2 = subprocess.run([str(hook), str(files[1]), str(tmp_path / "h")], cwd=repo, env=e, capture_output=True,
                        text=True, timeout=TIMEOUT)
    assert p2.returncode == 0, p2.stderr
    assert "no errors" in p2.stderr and "ERROR:" not in p2.stderr
    assert not state.exists()


def test_counted_files_use_the_base_commit_footer_when_the_series_is_not_checked_out(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    base = git(repo, env, "rev-parse", "HEAD").strip()
    git(repo, env, "checkout", "-q", "-b", "topic")
    commit_series(repo, env, fixed=False)
    files = format_patch(repo, env, tmp_path / "out", f"--base={base}")
    git(repo, env, "checkout", "-q", "master")  # the patches are in no commit of HEAD's history now
    hook = install_hook(repo, env)
    results = run_like_git_242(hook, repo, env, files, tmp_path)
    assert [r.returncode for r in results] == [0, 1]
    assert FINDING in results[1].stderr
    assert f"{base[:12]}, the base-commit: footer" in results[1].stderr


# ----------------------------------------------------------------------------- older git: one file at a time


def test_single_file_mode_checks_each_patch_after_the_commits_before_it(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    commit_series(repo, env, fixed=False)
    files = format_patch(repo, env, tmp_path / "out")
    parent2 = git(repo, env, "rev-parse", "HEAD~1").strip()
    before = repo_state(repo, env)

    r1 = kpatchlint(env, repo, "hook", "sendemail-validate", str(files[0]))
    r2 = kpatchlint(env, repo, "hook", "sendemail-validate", str(files[1]))

    assert r1.returncode == 0 and "patch 1/2: no errors" in r1.stderr
    assert r2.returncode == 1
    assert f"{FINDING} too many arguments to function 'swap_cache_update_ra' (expected 2, have 3) (patch 2/2)" \
        in r2.stderr
    assert f"tree: {parent2[:12]}, the parent of" in r2.stderr and "matched by patch-id" in r2.stderr
    assert repo_state(repo, env) == before


def test_single_file_mode_falls_back_to_head_when_the_patch_is_not_in_history(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    git(repo, env, "checkout", "-q", "-b", "topic")
    commit_series(repo, env, fixed=False)
    files = format_patch(repo, env, tmp_path / "out")
    git(repo, env, "format-patch", "-q", "-1", "-o", str(tmp_path / "one"), "HEAD")
    (single,) = sorted((tmp_path / "one").glob("*.patch"))
    git(repo, env, "checkout", "-q", "master")  # neither patch is in HEAD's history now

    # an unnumbered patch: checked against HEAD, where it applies
    r = kpatchlint(env, repo, "hook", "sendemail-validate", str(single))
    assert r.returncode == 1 and FINDING in r.stderr
    assert "HEAD: the patch is not in its recent history" in r.stderr

    # patch 2/2 alone: patch 1 is unknown, so only what the diff shows is checked
    r = kpatchlint(env, repo, "hook", "sendemail-validate", str(files[1]))
    assert r.returncode == 0, r.stderr
    assert "diff-only mode: patch 2/2 is not in the repository's history" in r.stderr

    # a patch that does not apply at HEAD is checked in diff-only mode, and passes
    other = tmp_path / "other.patch"
    text = single.read_text().replace(" \tcount_vm_event(SWAP_RA_HIT);", " \tcount_vm_event(SWAP_RA_MISS);")
    assert text != single.read_text()
    other.write_text(text)
    r = kpatchlint(env, repo, "hook", "sendemail-validate", str(other))
    assert r.returncode == 0, r.stderr
    assert "diff-only mode: HEAD: the patch is not in its recent history, but the patches do not apply there" \
        in r.stderr


def test_non_patch_mail_and_broken_input_never_stop_the_send(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    note = tmp_path / "note.txt"
    note.write_text("Subject: [PATCH 0/2] cover\n\nJust words.\n")
    r = kpatchlint(env, repo, "hook", "sendemail-validate", str(note))
    assert r.returncode == 0 and r.stderr == ""
    r = kpatchlint(env, repo, "hook", "sendemail-validate", str(tmp_path / "does-not-exist"))
    assert r.returncode == 0 and "could not check" in r.stderr


def test_sender_pid_is_the_send_email_process_above_the_hook_runner(tmp_path: Path, env) -> None:
    """The state key must be the same for every file of one send: git >= 2.42 starts a new
    `git hook run` per file, so the key is the send-email process further up (or, with none,
    the first ancestor that is not a hook runner)."""
    e = dict(env)
    # P2: what the hook runs; P1: stands in for `git hook run` (argv ends in "hook run")
    e["P2"] = "import os; from kpatchlint.workflow.hook import sender_pid; print(sender_pid())"
    e["P1"] = ("import os, subprocess, sys; r = subprocess.run([sys.executable, '-c', os.environ['P2']], "
               "capture_output=True, text=True); print(r.stdout.strip(), r.stderr.strip(), os.getppid())")
    inner = f'{PY} -c "$P1" hook run; echo "mid $$"'
    from kpatchlint.workflow.hook import _proc_cmdline, _proc_parent

    pid, ours = os.getpid(), []
    while pid and pid > 1 and len(ours) < 8:
        ours.append(" ".join(_proc_cmdline(pid)))
        pid = _proc_parent(pid) or 0
    cases = [("send-email", True)]
    if not any("send-email" in c for c in ours):  # else that ancestor of pytest would win
        cases.append(("other", False))
    for marker, expect_outer in cases:
        outer = f"bash -c {inner!r}; echo \"outer $$\"; : {marker}"
        proc = subprocess.run(["bash", "-c", outer], env=e, capture_output=True, text=True, timeout=TIMEOUT)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.split("\n")
        sender, mid_from_p1 = lines[0].split()
        mid = lines[1].split()[1]
        outer_pid = lines[2].split()[1]
        assert mid == mid_from_p1
        assert sender == (outer_pid if expect_outer else mid), proc.stdout
