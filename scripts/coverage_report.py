"""Write the counts section of docs/coverage.md from the registry (run after registry changes).

Usage: .venv/bin/python scripts/coverage_report.py > docs/coverage-counts.md
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from analogwatch.registry import default_registry
from analogwatch.registry.stats import stats


def main() -> None:
    reg = default_registry()
    st = stats(reg, date.today())
    print(f"Registry version `{reg.version}`: {st['substances']} substances "
          f"({st['with_structure']} with a defined structure), {st['listings']} listings.\n")
    print("| Jurisdiction | List | Entries | In force on " + date.today().isoformat() + " |")
    print("|---|---|---:|---:|")
    for row in st["per_list"]:
        print(f"| {row['jurisdiction']} | {row['title']} | {row['entries']} | {row['in_force']} |")
    per_jur: Counter[str] = Counter()
    for s in reg.substances:
        for j in s.jurisdictions():
            per_jur[j] += 1
    print()
    print("| Jurisdiction | Substances with at least one listing |")
    print("|---|---:|")
    for j in ("US", "CN", "UN"):
        print(f"| {j} | {per_jur[j]} |")


if __name__ == "__main__":
    main()
