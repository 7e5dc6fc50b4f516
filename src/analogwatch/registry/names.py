"""Name normalisation for case- and punctuation-insensitive lookup."""

from __future__ import annotations

import re
import unicodedata

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ω": "omega", "μ": "mu", "κ": "kappa",
}
_NON_WORD = re.compile(r"[\W_]+")


def normalize_name(name: str) -> str:
    """Fold case, Greek letters, accents, spaces and punctuation: "4-FIBF" == "4 fibf" == "4fibf".

    Letters of other scripts (Chinese names) are kept."""
    s = name.strip().casefold()
    if s.isascii():
        return _NON_WORD.sub("", s)  # no Greek letters or accents to fold
    for g, latin in GREEK.items():
        s = s.replace(g, latin)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _NON_WORD.sub("", s)
