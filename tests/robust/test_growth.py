"""No super-linear parsing of hostile input: input x10 must not cost more than x20 time.

Each case times one parser on a pathological input and on the same input ten times larger,
inside one test (tests/robust/growth.py). Limits that would hide the growth (the subject
length cap) are lifted: the algorithms themselves must be linear.
"""

from __future__ import annotations

import pytest

from kpatchlint import limits
from kpatchlint.c.kerneldoc import parse_head, parse_kerneldoc
from kpatchlint.c.parser import mask_kernel_macros
from kpatchlint.c.text import split_args
from kpatchlint.errors import InputError
from kpatchlint.series.diff import parse_diff
from kpatchlint.series.mbox import read_messages, split_mbox
from kpatchlint.series.subject import parse_subject
from kpatchlint.tree.apply import Sparse, apply_full, apply_sparse
from kpatchlint.series.model import Hunk, HunkLine
from tests.robust.growth import assert_linearish

# max_header_chars stays: the standard library decodes encoded words in quadratic time, and
# that cap is what keeps reading a mail linear
NO_CAPS = dict(max_subject_chars=0, max_diff_lines=0, max_hunk_lines=0,
               max_files_per_patch=0, max_messages=0, max_input_bytes=0, max_message_bytes=0)


@pytest.fixture(autouse=True)
def _no_caps():
    with limits.use(**NO_CAPS):
        yield


SUBJECTS = {
    "many Re:": lambda n: "Re: " * n + "[PATCH] x",
    "many localised replies": lambda n: "SV: " * n + "[PATCH] x",
    "many list tags": lambda n: "[list] " * n + "[PATCH] x",
    "many PATCH tags": lambda n: "[PATCH] " * n + "x",
    "open brackets": lambda n: "[" * n + "PATCH 1/2",
    "bracket soup": lambda n: "[PATCH v2 1/2 " * n + "]",
    "colons": lambda n: "Re:" + ":" * n,
    "folded": lambda n: "[PATCH]" + "\n " * n + "x",
}


@pytest.mark.parametrize("name", SUBJECTS)
def test_subject_parsing_is_linear(name: str) -> None:
    assert_linearish(f"subject {name}", parse_subject, SUBJECTS[name])


def _mbox(n: int) -> bytes:
    one = b"From x Mon Jan  1 00:00:00 2024\nFrom: a@x\nSubject: [PATCH] p\n\nbody\n\n"
    return one * n


MBOXES = {
    "many messages": _mbox,
    "many From lines": lambda n: b"From x\n" * (20 * n),
    "deep >From quoting": lambda n: b"From x\nFrom: a@x\n\n" + (b">" * 50 + b"From y\n") * (20 * n),
    "long >>> line": lambda n: b"From x\nFrom: a@x\n\n" + b">" * (200 * n) + b"\n",
    "blank lines": lambda n: b"From x\nFrom: a@x\n\n" + b"\n" * (200 * n),
}


@pytest.mark.parametrize("name", MBOXES)
def test_mbox_splitting_is_linear(name: str) -> None:
    assert_linearish(f"split_mbox {name}", split_mbox, MBOXES[name])


HEADERS = b"From: a@x\nSubject: [PATCH] x\n"
MAILS = {
    "many messages": lambda n: _mbox(max(n // 20, 2)),
    "many headers": lambda n: HEADERS + b"X-A: b\n" * n + b"\nbody\n",
    "one long header": lambda n: HEADERS + b"X-A: " + b"b" * (10 * n) + b"\n\nbody\n",
    "folded header": lambda n: HEADERS + b"X-A: b\n" + b" c\n" * n + b"\nbody\n",
    "encoded words": lambda n: b"From: a@x\nSubject: " + b"=?utf-8?q?a?= " * n + b"\n\nbody\n",
    "content-type params": lambda n: HEADERS + b"Content-Type: text/plain" + b'; a="\\"' * n + b"\n\nbody\n",
    "quoted-printable": lambda n: HEADERS + b"Content-Transfer-Encoding: quoted-printable\n\n" + b"a=3D=\n" * n,
    "base64": lambda n: HEADERS + b"Content-Transfer-Encoding: base64\n\n" + b"YWFh\n" * n,
    "format=flowed": lambda n: HEADERS + b"Content-Type: text/plain; format=flowed; delsp=yes\n\n" + b" a \n" * n,
}


@pytest.mark.parametrize("name", MAILS)
def test_mail_decoding_is_linear(name: str) -> None:
    def read(data: bytes) -> None:
        try:
            read_messages(data, "m")
        except InputError:
            pass

    assert_linearish(f"read_messages {name}", read, MAILS[name])


GIT = ["diff --git a/x.c b/x.c", "--- a/x.c", "+++ b/x.c"]
DIFFS = {
    "many hunks": lambda n: GIT + ["@@ -1 +1 @@", "-a", "+b"] * n,
    "many files": lambda n: (GIT + ["@@ -1 +1 @@", "-a", "+b"]) * n,
    "one long hunk": lambda n: GIT + [f"@@ -1,{n} +1,{n} @@"] + [" a"] * n,
    "git header with many a/": lambda n: ["diff --git " + "a/ " * n + "b/x"],
    "git header same names": lambda n: ["diff --git a/" + "x" * n + " b/" + "x" * n],
    "quoted name": lambda n: ['diff --git "a/' + "\\303" * n + '" "b/x"'],
    "long hunk header": lambda n: GIT + ["@@ -1 +1 @@" + " x" * n, "-a", "+b"],
    "huge hunk numbers": lambda n: GIT + ["@@ -1," + "9" * n + " +1 @@", "-a", "+b"],
    "hunk lines without hunk": lambda n: GIT + ["@@ -1 +1 @@", "-a", "+b"] + ["+c"] * n,
    "many rename headers": lambda n: ["diff --git a/x b/y"] + ["rename from x", "rename to y"] * n,
}


@pytest.mark.parametrize("name", DIFFS)
def test_diff_parsing_is_linear(name: str) -> None:
    def parse(lines: list[str]) -> None:
        try:
            parse_diff(lines, 0, "d")
        except InputError:
            pass

    assert_linearish(f"parse_diff {name}", parse, DIFFS[name])


KDOC = {
    "many params": lambda n: "/**\n * f - x\n" + " * @a: b\n" * n + " */",
    "long param text": lambda n: "/**\n * f - x\n * @a: " + "b " * n + "\n */",
    "whitespace line in body": lambda n: "/**\n * f - x\n * @a: b\n" + " " * n + "x\n */",
    "star then whitespace": lambda n: "/**\n * f - x\n * @a: b\n *" + " " * n + "x\n */",
    "many sections": lambda n: "/**\n * f - x\n" + " * Return: y\n * @a: b\n" * n + " */",
    "long name": lambda n: "/**\n * " + "f" * n + " - x\n */",
    "whitespace head": lambda n: "/**\n" + " " * n + "!\n */",
    "name then whitespace": lambda n: "/**\n * foo" + " " * n + "!\n */",
}


@pytest.mark.parametrize("name", KDOC)
def test_kerneldoc_parsing_is_linear(name: str) -> None:
    assert_linearish(f"kernel-doc {name}", lambda s: parse_kerneldoc(s, 1), KDOC[name], n=20)


def test_kerneldoc_head_alone_is_linear_on_plain_names() -> None:
    assert_linearish("parse_head name", parse_head, lambda n: "f" * n + " - x")


ARGS = {
    "flat": lambda n: "(" + "a, " * n + "b)",
    "nested": lambda n: "(" + "(" * n + ")" * n + ")",
    "unbalanced open": lambda n: "(" + "(" * n,
    "strings": lambda n: "(" + '"a,b", ' * n + ")",
    "unterminated strings": lambda n: "(" + "'" * n + ")",
    "backslashes in strings": lambda n: '("' + "\\\\" * n + '")',
    "escaped quotes": lambda n: "(" + '"\\' * n + ")",
    "comment openers": lambda n: "(" + "/*" * n + ")",
    "comments": lambda n: "(" + "a /* , */, " * n + ")",
    "line comments": lambda n: "(" + "// x\n" * n + ")",
}


@pytest.mark.parametrize("name", ARGS)
def test_split_args_is_linear(name: str) -> None:
    assert_linearish(f"split_args {name}", split_args, ARGS[name])


MASK = {
    "plain macros": lambda n: b"static __always_inline __must_check int f(void) __releases(x);\n" * n,
    "underscore runs": lambda n: b"__" * (10 * n),
    "balanced attributes": lambda n: b"__attribute__((x)) " * n,
    "one deep attribute": lambda n: b"__attribute__" + b"(" * (10 * n),
    "unbalanced attributes": lambda n: b"__attribute__(" * n,
}


@pytest.mark.parametrize("name", MASK)
def test_kernel_macro_masking_is_linear(name: str) -> None:
    assert_linearish(f"mask_kernel_macros {name}", mask_kernel_macros, MASK[name], n=10)


def _hunks(n: int) -> tuple[Hunk, ...]:
    return tuple(Hunk(10 * i + 2, 1, 10 * i + 2, 1, "", (HunkLine("-", f"l{10 * i + 1}", 10 * i + 2, None),
                                                          HunkLine("+", "new", None, 10 * i + 2)))
                 for i in range(n))


def test_applying_many_hunks_is_linear() -> None:
    assert_linearish("apply_full many hunks",
                     lambda n: apply_full([f"l{i}" for i in range(10 * n)], _hunks(n)), lambda n: n)


def test_applying_hunks_at_an_offset_is_linear() -> None:
    # the tree has 5 extra lines on top: every hunk is found at offset +5
    assert_linearish("apply_full offsets",
                     lambda n: apply_full(["x"] * 5 + [f"l{i}" for i in range(10 * n)], _hunks(n)), lambda n: n)


def test_sparse_application_is_linear() -> None:
    def run(n: int) -> None:
        apply_sparse(Sparse({i: f"l{i}" for i in range(1, 10 * n)}), _hunks(n))

    assert_linearish("apply_sparse", run, lambda n: n)


NESTED_C = {
    "nested #if": lambda n: b"#if A\n" * n + b"int f(void) { return g(1); }\n" + b"#endif\n" * n,
    "nested calls": lambda n: b"int f(void) { return " + b"g(" * n + b"1" + b")" * n + b"; }\n",
    "nested braces": lambda n: b"void f(void) " + b"{" * n + b"g();" + b"}" * n + b"\n",
}


@pytest.mark.parametrize("name", NESTED_C)
def test_extraction_of_hostile_nesting_is_linear(name: str) -> None:
    from kpatchlint.c.extract import extract_facts

    assert_linearish(f"extract_facts {name}", lambda src: extract_facts("x.c", src), NESTED_C[name], n=50)


def test_nesting_depth_counts_brackets_and_conditionals() -> None:
    assert limits.c_nesting_depth(b"f(a, (b), {c});") == 2
    assert limits.c_nesting_depth(b") ) ) ( ( ( (") == 4  # closes with nothing open do not hide depth
    assert limits.c_nesting_depth(b"#if A\n# if B\n  #ifdef C\n#endif\n#endif\n#endif\n") == 3
    assert limits.c_nesting_depth(b"") == 0


def test_too_deep_source_is_not_parsed_and_says_why() -> None:
    from kpatchlint.c.extract import extract_facts

    deep = b"int f(void) { return " + b"g(" * 300 + b"1" + b")" * 300 + b"; }\n"
    facts = extract_facts("x.c", deep)
    assert facts.functions == () and facts.calls == ()
    assert "KPATCHLINT_MAX_C_NESTING" in facts.extra["not_parsed"]
    with limits.use(max_c_nesting=0):
        assert [fn.name for fn in extract_facts("x.c", deep).functions] == ["f"]
