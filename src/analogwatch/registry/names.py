"""Name normalisation for case- and punctuation-insensitive lookup."""

from __future__ import annotations

import re
import unicodedata

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ω": "omega", "μ": "mu", "κ": "kappa",
}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_name(name: str) -> str:
    """Fold case, Greek letters, accents, spaces and punctuation: "4-FIBF" == "4 fibf" == "4fibf"."""
    s = name.strip().casefold()
    for g, latin in _GREEK.items():
        s = s.replace(g, latin)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", s)
