"""The class-definition engine: legal class definitions as data, applied to structures."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analogwatch.checker import AnalogueFlagger, ClassEvaluator
    from analogwatch.registry import Registry


def default_evaluators(registry: Registry) -> list[ClassEvaluator]:
    """The class definitions shipped with analogwatch (none yet)."""
    return []


def default_analogue_flagger(registry: Registry) -> AnalogueFlagger | None:
    return None
