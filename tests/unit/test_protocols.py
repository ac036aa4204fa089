"""Protocols: the YAML schema, the control flow of kpatchlint.c.flow, and the PRO rules on the
fixture series charge-protocol and get-put (fixtures/series/*/STORY.md)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kpatchlint.c.flow import AcquireSpec, FunctionFlow, ReleaseSpec
from kpatchlint.engine import lint_series, lint_tree
from kpatchlint.errors import InputError
from kpatchlint.protocols import builtin_protocols, parse_text
from kpatchlint.series import load_series
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GET = AcquireSpec(frozenset({"get_swap_device"}), None, "null")
PUT = ReleaseSpec(frozenset({"put_swap_device"}), 0)
CHARGE = AcquireSpec(frozenset({"mem_cgroup_swapin_charge_folio"}), 0, "nonzero")


def flow(body: str, first_line: int = 1) -> FunctionFlow:
    return FunctionFlow(textwrap.dedent(body).strip("\n"), first_line)


def leaks(body: str) -> list[tuple[int, int, str]]:
    return [(lk.acquire_line, lk.return_line, lk.how) for lk in flow(body).unpaired(GET, PUT)]


# ---------------------------------------------------------------------------------------------
# schema


def test_builtin_protocols_load() -> None:
    protos = {p.id: p for p in builtin_protocols()}
    assert set(protos) >= {"memcg-swapin-charge", "swap-device-ref"}
    charge = protos["memcg-swapin-charge"]
    assert charge.kind == "acquire-before-sink"
    assert charge.acquire[0].call == "mem_cgroup_swapin_charge_folio" and charge.acquire[0].object_arg == 0
    sink = charge.sink("__swap_cache_prepare_and_add")
    assert sink is not None and sink.flag_param == "charged" and sink.object_arg == 1
    assert charge.term("acquired") == "charged"
    ref = protos["swap-device-ref"]
    assert ref.kind == "pair" and ref.acquire[0].object_return and ref.acquire[0].fails == "null"
    assert ref.release[0].call == "put_swap_device"


@pytest.mark.parametrize("text,error", [
    ("id: x\nkind: pair\nacquire: {call: a, object: return}\n", "needs `release:`"),
    ("id: x\nkind: acquire-before-sink\nacquire: {call: a, object_arg: 0}\n", "needs `sink:`"),
    ("id: x\nkind: pair\nacquire: {call: a}\nrelease: {call: b, object_arg: 0}\n", "object_arg: N"),
    ("id: x\nkind: pair\nacquire: {call: a, object: return, flag_param: f}\nrelease: {call: b, object_arg: 0}\n",
     "only a sink takes a flag"),
    ("id: x\nkind: pair\nacquire: {call: a, object: return}\nrelease: {call: b, object_arg: 0}\nsinc: 1\n",
     "unknown key"),
    ("id: x\nkind: pair\nacquire: {call: a, object: return, fails: maybe}\nrelease: {call: b, object_arg: 0}\n",
     "`fails:`"),
    ("id: X Y\nkind: pair\nacquire: {call: a, object: return}\nrelease: {call: b, object_arg: 0}\n", "`id:`"),
    ("id: x\nkind: lock\nacquire: {call: a, object: return}\n", "unknown kind"),
])
def test_schema_rejects(text: str, error: str) -> None:
    with pytest.raises(InputError, match=error.replace("(", r"\(").replace("`", "`")):
        parse_text(text, "t.yaml")


def test_a_new_pair_needs_no_code(tmp_path: Path) -> None:
    """A user protocol (lock that fails with non-zero, object = argument) runs through PRO004."""
    (tmp_path / "lock.yaml").write_text(textwrap.dedent("""
        id: frob-lock
        kind: pair
        message: frob_lock_interruptible() must be paired with frob_unlock()
        acquire: {call: frob_lock_interruptible, object_arg: 0, fails: nonzero}
        release: {call: frob_unlock, object_arg: 0}
    """))
    tree = tmp_path / "tree"
    (tree / "drivers").mkdir(parents=True)
    (tree / "drivers" / "frob.c").write_text(textwrap.dedent("""
        int frob_poke(struct frob *f, int v)
        {
        	if (frob_lock_interruptible(&f->lock))
        		return -EINTR;
        	if (v < 0)
        		return -EINVAL;
        	f->v = v;
        	frob_unlock(&f->lock);
        	return 0;
        }

        int frob_peek(struct frob *f)
        {
        	int v, err;

        	err = frob_lock_interruptible(&f->lock);
        	if (err)
        		return err;
        	v = f->v;
        	frob_unlock(&f->lock);
        	return v;
        }
    """).lstrip())
    settings = Settings(select=("PRO004",), protocol_files=(tmp_path / "lock.yaml",))
    res = lint_tree(DirTree(tree), [], settings)
    got = [(f.primary.line, f.message) for f in res.findings]
    assert len(got) == 1, got
    assert got[0][0] == 3 and "frob_poke" in got[0][1] and "drivers/frob.c:6" in got[0][1]


# ---------------------------------------------------------------------------------------------
# flow: get/put


def test_leak_on_early_return_but_not_on_failed_get() -> None:
    assert leaks("""
        bool f(swp_entry_t entry)
        {
        	struct swap_info_struct *si;

        	si = get_swap_device(entry);
        	if (!si)
        		return false;
        	if (!(si->flags & SWP_WRITEOK))
        		return false;
        	put_swap_device(si);
        	return true;
        }
    """) == [(5, 9, "return")]


@pytest.mark.parametrize("cond", ["!si", "unlikely(!si)", "si == NULL", "NULL == si", "IS_ERR_OR_NULL(si)",
                                  "WARN_ON(!si)", "!si && x"])
def test_null_tests_release_nothing(cond: str) -> None:
    assert leaks(f"""
        int f(swp_entry_t entry)
        {{
        	struct swap_info_struct *si = get_swap_device(entry);

        	if ({cond})
        		return -ENODEV;
        	put_swap_device(si);
        	return 0;
        }}
    """) == []


def test_or_condition_can_leak() -> None:
    """`if (!si || busy) return;` leaves with the reference when si is set and busy is true."""
    assert leaks("""
        int f(swp_entry_t entry)
        {
        	struct swap_info_struct *si = get_swap_device(entry);

        	if (!si || busy(entry))
        		return -ENODEV;
        	put_swap_device(si);
        	return 0;
        }
    """) == [(3, 6, "return")]


def test_assignment_inside_the_condition() -> None:
    assert leaks("""
        int f(swp_entry_t entry)
        {
        	struct swap_info_struct *si;

        	if (!(si = get_swap_device(entry)))
        		return -ENODEV;
        	if ((si = get_swap_device(entry)) == NULL)
        		return -ENODEV;
        	return 0;
        }
    """) == [(5, 7, "overwrite"), (7, 9, "return")]


def test_goto_cleanup_and_shared_exit_are_balanced() -> None:
    assert leaks("""
        int f(swp_entry_t entry)
        {
        	struct swap_info_struct *si = NULL;
        	int err = 0;

        	if (bad(entry))
        		goto out;
        	si = get_swap_device(entry);
        	if (!si)
        		goto out;
        	switch (si->type) {
        	case 1:
        		err = -EBUSY;
        		goto out;
        	default:
        		break;
        	}
        	do {
        		err = poke(si);
        	} while (err == -EAGAIN);
        out:
        	if (si)
        		put_swap_device(si);
        	return err;
        }
    """) == []


def test_loops_breaks_and_falling_off_the_end() -> None:
    assert leaks("""
        void f(swp_entry_t entry, int nr)
        {
        	struct swap_info_struct *si;
        	int i;

        	for (i = 0; i < nr; i++) {
        		si = get_swap_device(entry);
        		if (!si)
        			continue;
        		if (si->max < i)
        			break;
        		put_swap_device(si);
        	}
        }
    """) == [(7, 14, "end")]


def test_loop_macro_bug_ifdef_and_returned_object() -> None:
    assert leaks("""
        int f(swp_entry_t entry)
        {
        	struct swap_info_struct *si = get_swap_device(entry);

        	if (!si)
        		return -1;
        	list_for_each_entry(p, &head, list) {
        		if (p->dead)
        			BUG();
        		if (p->x)
        			goto out;
        	}
        #ifdef CONFIG_FROB
        	return 1;
        #endif
        out:
        	put_swap_device(si);
        	return 0;
        }
    """) == [(3, 14, "return")]
    assert leaks("""
        struct swap_info_struct *g(swp_entry_t entry)
        {
        	struct swap_info_struct *si = get_swap_device(entry);

        	if (si && !(si->flags & SWP_WRITEOK)) {
        		put_swap_device(si);
        		return NULL;
        	}
        	return si;
        }
    """) == []


def test_escape_and_overwrite() -> None:
    assert leaks("""
        void f(struct ctx *c, swp_entry_t entry)
        {
        	struct swap_info_struct *si = get_swap_device(entry);

        	if (!si)
        		return;
        	c->si = si;
        }
    """) == []
    assert leaks("""
        void f(swp_entry_t entry)
        {
        	struct swap_info_struct *si = get_swap_device(entry);

        	if (!si)
        		return;
        	si = NULL;
        	put_swap_device(si);
        }
    """) == [(3, 7, "overwrite")]


# ---------------------------------------------------------------------------------------------
# flow: acquired before a call


CHARGE_FN = """
    static struct folio *f(struct vm_fault *vmf, swp_entry_t entry, int order)
    {
    	struct folio *folio = vma_alloc_folio(gfp, order, vma, addr);

    	if (!folio)
    		return NULL;
    	if (order && mem_cgroup_swapin_charge_folio(folio, mm, gfp, entry))
    		goto fail;
    	sink_a(entry, folio);
    	if (mem_cgroup_swapin_charge_folio(folio, mm, gfp, entry))
    		goto fail;
    	sink_b(entry, folio);
    	folio = other_alloc();
    	sink_c(entry, folio);
    	folio = charged_alloc(vmf);
    	sink_d(entry, folio);
    	return folio;
    fail:
    	folio_put(folio);
    	return NULL;
    }
"""


def test_acquired_before_every_and_any() -> None:
    fl = flow(CHARGE_FN)
    a = fl.acquired_before(9, "sink_a", "folio", CHARGE)
    assert a is not None and not a.every and a.any and a.lines == (7,)
    b = fl.acquired_before(12, "sink_b", "folio", CHARGE)
    assert b is not None and b.every and b.lines == (10,)  # the latest charge on each path
    c = fl.acquired_before(14, "sink_c", "folio", CHARGE)
    assert c is not None and not c.any
    d = fl.acquired_before(16, "sink_d", "folio", CHARGE, producers=frozenset({"charged_alloc"}))
    assert d is not None and d.every
    assert fl.acquired_before(99, "sink_a", "folio", CHARGE) is None


def test_returned_acquired() -> None:
    producer = flow("""
        static struct folio *p(struct vm_fault *vmf)
        {
        	struct folio *folio = vma_alloc_folio(gfp, 0, vma, addr);

        	if (!folio)
        		return NULL;
        	if (mem_cgroup_swapin_charge_folio(folio, mm, GFP_KERNEL, entry)) {
        		folio_put(folio);
        		return NULL;
        	}
        	return folio;
        }
    """)
    assert producer.returned_acquired(CHARGE)
    wrapper = flow("""
        static struct folio *w(struct vm_fault *vmf)
        {
        	if (x)
        		return ERR_PTR(-EINVAL);
        	return p(vmf);
        }
    """)
    assert wrapper.returned_acquired(CHARGE, producers=frozenset({"p"}))
    assert not wrapper.returned_acquired(CHARGE)


# ---------------------------------------------------------------------------------------------
# the fixture series written for these rules (fixtures/series/*/STORY.md)


def _series(name: str):
    series = load_series(str(FIXTURES / "series" / name / "series.mbox"))
    return lint_series(series, DirTree(FIXTURES / "trees" / "swap"), Settings(select=("PRO",)))


def test_charge_protocol_series() -> None:
    res = _series("charge-protocol")
    errors = {(f.code, f.patch, f.primary.path, f.primary.line, f.function)
              for f in res.findings if f.code in ("PRO001", "PRO002", "PRO004")}
    assert errors == {
        ("PRO001", 2, "mm/memory.c", 144, "swapin_small_folio"),
        ("PRO002", 3, "mm/shmem.c", 112, "shmem_swapin_small_folio"),
    }
    double = next(f for f in res.findings if f.code == "PRO002")
    assert any((lab.location.path, lab.location.line) == ("mm/shmem.c", 106) for lab in double.labels)
    assert all(f.repaired_by is None for f in res.findings if f.code in ("PRO001", "PRO002"))
    summaries = [f for f in res.findings if f.code == "PRO003"]
    assert summaries and summaries[0].message.startswith("4 functions charge")
    assert summaries[-1].patch == 3 and summaries[-1].message.startswith("5 functions charge")


def test_get_put_series() -> None:
    res = _series("get-put")
    got = [(f.code, f.patch, f.primary.path, f.primary.line, f.function) for f in res.findings]
    assert got == [("PRO004", 2, "mm/swapfile.c", 111, "swap_entry_is_shared")]
    assert [(lab.location.path, lab.location.line) for lab in res.findings[0].labels] == [("mm/swapfile.c", 117)]
