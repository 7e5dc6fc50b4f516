"""The class-definition engine: legal class definitions as data, applied to structures.

Public surface: ``default_evaluators`` and ``default_analogue_flagger`` (what the Checker uses),
``load_definitions`` and ``ClassDefinitionEvaluator`` (for other definition folders).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analogwatch.rules.evaluator import (
    ClassDefinitionEvaluator,
    Definition,
    default_definitions,
    load_definitions,
)

if TYPE_CHECKING:
    from analogwatch.checker import AnalogueFlagger, ClassEvaluator
    from analogwatch.registry import Registry

__all__ = [
    "ClassDefinitionEvaluator", "Definition", "default_analogue_flagger", "default_evaluators",
    "load_definitions",
]


def default_evaluators(registry: Registry) -> list[ClassEvaluator]:
    """The class definitions shipped with analogwatch (src/analogwatch/rules/definitions)."""
    from analogwatch.rules.positional import PositionalIsomerEvaluator

    return [ClassDefinitionEvaluator(list(default_definitions()), registry), PositionalIsomerEvaluator(registry)]


def default_analogue_flagger(registry: Registry) -> AnalogueFlagger | None:
    """The Federal Analogue Act flag over the registry's US Schedule I and II substances."""
    from analogwatch.rules.analogue import AnalogueFlagger as _Flagger

    return _Flagger(registry)
