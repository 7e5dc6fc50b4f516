"""The rule-file format: one YAML file per legal text, validated strictly on load.

docs/rules.md describes every field. Unknown fields, unknown kinds, SMARTS that do not parse,
atom-map numbers that the core does not have, and worked examples that cannot be parsed all stop
loading with a :class:`~analogwatch.errors.RuleError` naming the file and the rule.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analogwatch.errors import RuleError
from analogwatch.rules.groups import KindSpec, parse_kind_spec

Certainty = Literal["definite", "interpretive"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


def _kinds(raw: Any) -> list[KindSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raw = [raw]
    return [parse_kind_spec(r, "is") for r in raw]


class Instrument(_Strict):
    """A legal instrument that puts the class in force (an order, an act, an announcement)."""

    id: str
    citation: str
    effective: date
    end: date | None = None
    note: str | None = None

    def in_force(self, on: date) -> bool:
        return self.effective <= on and (self.end is None or on < self.end)


class Clause(_Strict):
    text: str
    instruments: list[str]


class SubstituentRule(_Strict):
    """What a substituent (or the group at an attachment point) may be, under which clause."""

    clause: str | None = None
    is_: list[KindSpec] = Field(default_factory=list, alias="is")
    first_atom: list[str] | None = None
    certainty: Certainty = "definite"
    reason: str | None = None
    note: str | None = None
    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    @field_validator("is_", mode="before")
    @classmethod
    def _parse_is(cls, v: Any) -> list[KindSpec]:
        return _kinds(v)

    @model_validator(mode="after")
    def _interpretive_needs_reason(self) -> SubstituentRule:
        if self.certainty == "interpretive" and not self.reason:
            raise ValueError("an interpretive rule needs a reason")
        return self


class LinkerSpec(_Strict):
    label: str
    length: tuple[int, int]
    atoms: list[str] = Field(default_factory=lambda: ["C"])
    #: True: the linker's own bonds must be single (a C=C in it is a change of the linker)
    saturated: bool = False
    rule: str
    clause: str | None = None
    substituents: list[SubstituentRule] = Field(default_factory=list)


class RingSpec(_Strict):
    is_: list[KindSpec] = Field(alias="is")
    other_than_parent: bool = False
    same_as_parent: bool = False
    clause: str | None = None
    rule: str
    model_config = ConfigDict(extra="forbid", populate_by_name=True, arbitrary_types_allowed=True)

    @field_validator("is_", mode="before")
    @classmethod
    def _parse_is(cls, v: Any) -> list[KindSpec]:
        return _kinds(v)


class RingPath(_Strict):
    """A group read as: a linker from the attachment point to a ring, the ring, its substituents."""

    linker: LinkerSpec
    ring: RingSpec
    ring_substituents: list[SubstituentRule] = Field(default_factory=list)
    ring_substituents_rule: str = "no substituent is allowed on the ring"


class GroupRule(SubstituentRule):
    """A rule for the whole group at an attachment point; may read it as a linker and a ring, or
    split off a leading linking atom Z (O, NH or none)."""

    ring_path: RingPath | None = None
    z: list[Literal["O", "NH", "none"]] | None = None

    @model_validator(mode="after")
    def _what(self) -> GroupRule:
        if not self.is_ and self.ring_path is None:
            raise ValueError("a group rule needs `is` or `ring_path`")
        return self


class FusedRule(_Strict):
    clause: str | None = None
    certainty: Certainty = "interpretive"
    reason: str


class Region(_Strict):
    label: str
    atoms: list[int] = Field(default_factory=list)
    attach: int | None = None
    parent_atoms: list[int] = Field(default_factory=list)
    #: locants of the region's core atoms (map number -> locant), for explanations
    positions: dict[int, str] = Field(default_factory=dict)
    group: list[GroupRule] = Field(default_factory=list)
    group_label: str | None = None
    substituents: list[SubstituentRule] = Field(default_factory=list)
    fused: FusedRule | None = None
    #: the clause that covers a change no rule names, e.g. removing a substituent of the parent
    clause: str | None = None
    #: why a change here is outside the definition when no rule allows it
    fixed: str

    @model_validator(mode="after")
    def _group_needs_attach(self) -> Region:
        if self.group and self.attach is None:
            raise ValueError("`group` rules need an `attach` atom")
        if self.attach is not None and not self.group:
            raise ValueError("an `attach` atom needs `group` rules")
        return self


class Parent(_Strict):
    name: str
    smiles: str


class Scaffold(_Strict):
    id: str
    label: str
    #: modification: "compared with the parent, one or more of ..." (needs a parent);
    #: formula: a general formula whose every variable part must fit
    mode: Literal["modification", "formula"]
    clause: str | None = None
    parent: Parent | None = None
    core: str
    regions: dict[str, Region]
    max_mappings: int = 64

    @model_validator(mode="after")
    def _parent(self) -> Scaffold:
        if self.mode == "modification" and self.parent is None:
            raise ValueError("a modification scaffold needs a parent")
        return self


class OtherwiseListed(_Strict):
    lists: list[str]
    reason: str


class Exclusions(_Strict):
    otherwise_listed: OtherwiseListed | None = None
    #: structures outside the class whatever they match, with the reason (SMILES -> reason)
    structures: dict[str, str] = Field(default_factory=dict)


class Example(_Strict):
    name: str
    smiles: str
    covered: bool
    clauses: list[str] = Field(default_factory=list)
    certainty: Certainty | None = None
    as_of: date | None = None
    why: str
    #: True when the substance is listed under its own entry (the Checker reports it as listed)
    listed: bool = False


class DefinitionFile(_Strict):
    id: str
    title: str
    jurisdiction: Literal["US", "CN", "UN"]
    schedule: str
    list_name: str
    #: how the text names its parts: "modification", "clause", "general formula"
    clause_word: str = "clause"
    summary: str
    sources: list[str] = Field(default_factory=list)
    readings: list[str] = Field(default_factory=list)
    instruments: list[Instrument]
    clauses: dict[str, Clause]
    vocabularies: dict[str, list[str]] = Field(default_factory=dict)
    exclusions: Exclusions = Field(default_factory=Exclusions)
    scaffolds: list[Scaffold]
    examples: list[Example]


def _expand_vocab(node: Any, vocab: dict[str, list[str]]) -> Any:
    """Replace ``is: $name`` (or ``$name`` inside an is-list) by the named vocabulary."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "is":
                items = v if isinstance(v, list) else [v]
                expanded: list[Any] = []
                for it in items:
                    if isinstance(it, str) and it.startswith("$"):
                        if it[1:] not in vocab:
                            raise ValueError(f"unknown vocabulary {it!r}")
                        expanded.extend(vocab[it[1:]])
                    else:
                        expanded.append(it)
                out[k] = expanded
            else:
                out[k] = _expand_vocab(v, vocab)
        return out
    if isinstance(node, list):
        return [_expand_vocab(x, vocab) for x in node]
    return node


def _loc(err: Any) -> str:
    return ".".join(str(p) for p in err.get("loc", ()))


def parse_definition(raw: Any, source: str) -> DefinitionFile:
    """Validate one rule file's content; errors name the file and the rule."""
    if not isinstance(raw, dict):
        raise RuleError(f"{source}: the file must hold a mapping")
    rid = raw.get("id", "?")
    try:
        vocab = raw.get("vocabularies") or {}
        expanded = _expand_vocab(raw, vocab)
        return DefinitionFile.model_validate(expanded)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise RuleError(f"{source}: rule {rid}: {_loc(first)}: {first['msg']}") from exc
    except (ValueError, RuleError) as exc:
        raise RuleError(f"{source}: rule {rid}: {exc}") from exc


def read_definition_file(path: Path) -> DefinitionFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{path.name}: cannot be read: {exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleError(f"{path.name}: not valid YAML: {exc}") from exc
    return parse_definition(raw, path.name)
