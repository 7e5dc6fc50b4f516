"""The transformation vocabulary: reaction SMARTS kept as data in ``transformations/*.yaml``.

Each file names a family (or ``any``) and lists transformations, each with a reaction SMARTS, the
real analogs it reflects, a source note and a worked example. Loading is strict: an unknown field,
a SMARTS that does not compile, a reaction with other than one reactant and one product, a
duplicate id or an example that does not parse stops loading with a :class:`VocabularyError`
naming the file and the transformation. Reactions are compiled once, at load.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rdkit import Chem, rdBase
from rdkit.Chem import rdChemReactions

from analogwatch.errors import AnalogwatchError

#: the kinds of change the vocabulary knows; a new kind needs a word here, not new code
Kind = Literal[
    "acyl swap", "ring swap", "ring walk", "linker", "alpha/beta substitution", "ring substituent",
    "core ring change", "N-substituent swap", "benzimidazole substituent", "alkoxy swap", "amine swap",
    "core swap", "head swap", "tail swap",
]

#: the family name of transformations that apply to every family
ANY_FAMILY = "any"

#: products per (molecule, transformation) at most; a walk on a large molecule yields one per C-H
MAX_PRODUCTS_PER_RUN = 256


class VocabularyError(AnalogwatchError):
    """A transformation file is malformed; the message names the file and the transformation."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExampleSpec(_Strict):
    reactant: str
    product: str


class TransformationSpec(_Strict):
    id: str
    name: str
    kind: Kind
    smarts: str
    reflects: list[str] = Field(default_factory=list)
    source: str = Field(min_length=10)
    example: ExampleSpec
    family: str | None = None


class VocabularyFile(_Strict):
    family: str
    transformations: list[TransformationSpec] = Field(min_length=1)


@dataclass(frozen=True, eq=False)
class Transformation:
    """One compiled transformation."""

    id: str
    name: str
    family: str
    kind: str
    smarts: str
    reflects: tuple[str, ...]
    source: str
    example_reactant: str
    example_product: str
    file: str
    reaction: rdChemReactions.ChemicalReaction = field(repr=False)

    def run(self, mol: Chem.Mol) -> list[Chem.Mol]:
        """Raw products of applying the transformation at every matching site (unsanitised)."""
        return [ps[0] for ps in self.reaction.RunReactants((mol,), MAX_PRODUCTS_PER_RUN)]


@dataclass(frozen=True)
class Vocabulary:
    transformations: tuple[Transformation, ...]
    #: content hash of the files, stored with every result
    version: str
    files: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.transformations)

    @property
    def by_id(self) -> dict[str, Transformation]:
        return {t.id: t for t in self.transformations}

    def for_families(self, families: Iterable[str]) -> list[Transformation]:
        """Transformations whose family is one of ``families`` (``any`` must be named to be included)."""
        wanted = set(families)
        return [t for t in self.transformations if t.family in wanted]

    def restricted(self, ids: Iterable[str]) -> Vocabulary:
        keep = set(ids)
        return Vocabulary(tuple(t for t in self.transformations if t.id in keep), self.version, self.files)


def transformations_dir() -> Path:
    return Path(str(resources.files("analogwatch.anticipate") / "transformations"))


def compile_reaction(smarts: str, where: str) -> rdChemReactions.ChemicalReaction:
    """Compile one reaction SMARTS with one reactant and one product template; errors name ``where``."""
    try:
        with rdBase.BlockLogs():
            rxn = rdChemReactions.ReactionFromSmarts(smarts)
    except ValueError as exc:
        raise VocabularyError(f"{where}: reaction SMARTS does not compile: {exc}") from exc
    if rxn is None:
        raise VocabularyError(f"{where}: reaction SMARTS does not compile")
    if rxn.GetNumReactantTemplates() != 1 or rxn.GetNumProductTemplates() != 1:
        raise VocabularyError(
            f"{where}: a transformation needs one reactant and one product template, not "
            f"{rxn.GetNumReactantTemplates()} and {rxn.GetNumProductTemplates()}"
        )
    rxn.Initialize()
    _warnings, errors = rxn.Validate(silent=True)
    if errors:
        raise VocabularyError(f"{where}: reaction does not validate ({errors} errors)")
    return rxn


def _parse_file(path: Path) -> VocabularyFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path.name}: cannot be read as YAML: {exc}") from exc
    try:
        return VocabularyFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err.get("loc", ()))
        tid = "?"
        if len(loc) >= 2 and loc[0] == "transformations" and isinstance(raw, dict):
            with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
                tid = raw["transformations"][loc[1]].get("id", "?")
        where = ".".join(str(p) for p in loc)
        raise VocabularyError(f"{path.name}: transformation {tid}: {where}: {err['msg']}") from exc


def load_vocabulary(paths: Sequence[Path] | None = None) -> Vocabulary:
    """Load and compile transformation files (default: every shipped ``transformations/*.yaml``)."""
    files = sorted(paths) if paths is not None else sorted(transformations_dir().glob("*.yaml"))
    if not files:
        raise VocabularyError("no transformation files found")
    digest = hashlib.sha256()
    out: list[Transformation] = []
    seen: dict[str, str] = {}
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        spec = _parse_file(path)
        for t in spec.transformations:
            where = f"{path.name}: transformation {t.id}"
            if t.id in seen:
                raise VocabularyError(f"{where}: id already used in {seen[t.id]}")
            seen[t.id] = path.name
            rxn = compile_reaction(t.smarts, where)
            with rdBase.BlockLogs():
                for label, smi in (("reactant", t.example.reactant), ("product", t.example.product)):
                    if Chem.MolFromSmiles(smi) is None:
                        raise VocabularyError(f"{where}: example {label} SMILES does not parse: {smi!r}")
            out.append(Transformation(
                id=t.id, name=t.name, family=t.family or spec.family, kind=t.kind, smarts=t.smarts,
                reflects=tuple(t.reflects), source=t.source, example_reactant=t.example.reactant,
                example_product=t.example.product, file=path.name, reaction=rxn,
            ))
    return Vocabulary(tuple(out), digest.hexdigest()[:12], tuple(p.name for p in files))


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded and compiled once per process."""
    return load_vocabulary()
