"""Facts extracted from C source: functions, parameters, call sites, kernel-doc, macros, exports.

These are plain frozen dataclasses (no tree-sitter types) so they can be cached as JSON and
shared between snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kpatchlint.location import Confidence


@dataclass(frozen=True, slots=True)
class Param:
    type: str  # normalised type text, e.g. "struct folio *", "bool", "..." for variadic
    name: str | None  # None for unnamed parameters

    @property
    def is_variadic(self) -> bool:
        return self.type == "..."

    def __str__(self) -> str:
        if self.is_variadic:
            return "..."
        t = self.type
        if not self.name:
            return t
        return f"{t}{self.name}" if t.endswith("*") else f"{t} {self.name}"


@dataclass(frozen=True, slots=True)
class DocParam:
    name: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class KernelDoc:
    """A `/** name - purpose ... @param: text ... */` block attached to the function after it."""

    name: str  # the name the doc block claims to describe
    line: int  # first line of the block
    end_line: int
    params: tuple[DocParam, ...]
    text: str  # whole comment, for marker words such as "workaround"


@dataclass(frozen=True, slots=True)
class FunctionSig:
    """A function definition, prototype or `static inline` stub as written in one file."""

    name: str
    path: str
    line: int
    col: int
    end_line: int
    kind: str  # "definition" | "prototype"
    return_type: str
    params: tuple[Param, ...]
    storage: str  # "static", "extern" or ""
    inline: bool
    cond: tuple[str, ...]  # preprocessor condition stack, e.g. ("!CONFIG_SWAP",)
    confidence: Confidence
    doc: KernelDoc | None = None
    # Only for definitions: does any `return <expr>;` occur, is the body empty, which
    # parameters are used in the body (same order as params).
    returns_value: bool | None = None
    body_empty: bool | None = None
    params_used: tuple[bool, ...] | None = None
    name_line: int = 0  # line of the function name (may differ from line for split declarations)

    @property
    def is_definition(self) -> bool:
        return self.kind == "definition"

    @property
    def is_stub(self) -> bool:
        return self.is_definition and self.inline and self.storage == "static"

    @property
    def is_variadic(self) -> bool:
        return any(p.is_variadic for p in self.params)

    @property
    def arity(self) -> int:
        return sum(1 for p in self.params if not p.is_variadic)

    @property
    def is_void(self) -> bool:
        return self.return_type.replace(" ", "") == "void"

    def signature(self) -> str:
        params = ", ".join(str(p) for p in self.params) or "void"
        rt = self.return_type
        sep = "" if rt.endswith("*") else " "
        return f"{rt}{sep}{self.name}({params})"


@dataclass(frozen=True, slots=True)
class CallSite:
    callee: str
    args: tuple[str, ...]  # argument texts, comments removed, whitespace collapsed
    caller: str | None  # enclosing function, None at file scope
    path: str
    line: int
    col: int
    end_line: int
    cond: tuple[str, ...]
    confidence: Confidence
    in_macro: bool = False  # the call is inside a #define body


@dataclass(frozen=True, slots=True)
class Macro:
    name: str
    params: tuple[str, ...] | None  # None for object-like macros
    path: str
    line: int
    cond: tuple[str, ...]
    body: str = ""

    @property
    def is_function_like(self) -> bool:
        return self.params is not None


@dataclass(frozen=True, slots=True)
class Export:
    name: str
    kind: str  # EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ...
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment that matters to a rule (marks something temporary); other comments are not kept."""

    path: str
    line: int
    end_line: int
    text: str
    function: str | None  # enclosing function, or the function right after it


@dataclass(frozen=True, slots=True)
class FileFacts:
    path: str
    digest: str
    functions: tuple[FunctionSig, ...] = ()
    calls: tuple[CallSite, ...] = ()
    macros: tuple[Macro, ...] = ()
    exports: tuple[Export, ...] = ()
    comments: tuple[Comment, ...] = ()
    includes: tuple[str, ...] = ()  # as written: "swap.h", "<linux/swap.h>"
    typedefs: tuple[tuple[str, str], ...] = ()  # (name, underlying type), file scope
    refs: tuple[str, ...] = ()  # identifiers used as values, not called (address taken, ops tables)
    error_ratio: float = 0.0  # share of bytes under tree-sitter ERROR nodes
    fragments: bool = False  # extracted from diff fragments, not a whole file
    extra: dict[str, str] = field(default_factory=dict)


def record_maker(cls, names: tuple[str, ...]):
    """A function building a frozen slots dataclass from `names` (positional) without going
    through the generated __init__ (one object.__setattr__ lookup per field); the other fields
    get their plain defaults. Falls back to the class itself when that is not possible."""
    import dataclasses

    try:
        flds = dataclasses.fields(cls)
    except TypeError:
        return cls
    if "__post_init__" in cls.__dict__ or "__slots__" not in cls.__dict__:
        return cls
    if [f.name for f in flds[:len(names)]] != list(names):
        return cls
    ns: dict = {"_new": object.__new__, "_cls": cls}
    lines = [f"def make({', '.join(names)}):", "    o = _new(_cls)"]
    for f in flds:
        desc = cls.__dict__.get(f.name)
        if desc is None or not hasattr(desc, "__set__"):
            return cls
        ns["_set_" + f.name] = desc.__set__
        if f.name in names:
            val = f.name
        elif f.default is not dataclasses.MISSING and isinstance(f.default, (bool, int, str, type(None), tuple)):
            ns["_def_" + f.name] = f.default
            val = "_def_" + f.name
        else:
            return cls
        lines.append(f"    _set_{f.name}(o, {val})")
    lines.append("    return o")
    exec("\n".join(lines), ns)  # noqa: S102 - generated from the dataclass fields above
    return ns["make"]
