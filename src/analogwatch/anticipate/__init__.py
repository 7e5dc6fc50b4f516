"""Anticipation: enumerate plausible analogs of controlled families and map the gaps between jurisdictions.

The transformation vocabulary is data (``transformations/*.yaml``), as are the families
(``data/families.yaml``), the potent substances used for ranking (``data/potent.yaml``) and the
reference medicines a draft definition must not catch (``data/medicines.csv``). See
docs/anticipation.md.

Public surface:

- :func:`anticipate`: enumerate, screen and map the gaps of one or several families, optionally
  judging draft class definitions; :func:`write_report` writes analogs.csv, summary.json and
  report.html.
- :func:`retrospective`: enumerate from what was listed before a date and measure the recall of
  what was listed since; :func:`write_retrospective` writes its table, summary and figure.
"""

from analogwatch.anticipate.enumeration import Analog, Enumeration, Enumerator, enumerate_analogs
from analogwatch.anticipate.pipeline import Anticipation, anticipate
from analogwatch.anticipate.report import write_report
from analogwatch.anticipate.retrospective import Retrospective, retrospective
from analogwatch.anticipate.retrospective import write_outputs as write_retrospective
from analogwatch.anticipate.screening import category_of, gap_report
from analogwatch.anticipate.vocabulary import VocabularyError, default_vocabulary, load_vocabulary
from analogwatch.anticipate.whatif import evaluate_draft, load_draft

__all__ = [
    "Analog", "Anticipation", "Enumeration", "Enumerator", "Retrospective", "VocabularyError", "anticipate",
    "category_of", "default_vocabulary", "enumerate_analogs", "evaluate_draft", "gap_report", "load_draft",
    "load_vocabulary", "retrospective", "write_report", "write_retrospective",
]
