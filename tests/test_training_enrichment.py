"""Training titles read for the occupation coder: the diploma and its acronym say the level, not the trade."""

from __future__ import annotations

import pytest

from grepp.training_enrichment import training_title


@pytest.mark.parametrize(
    ("title", "trade"),
    [
        ("Titre Professionnel Soudeur assembleur industriel", "Soudeur assembleur industriel"),
        (
            "Baccalauréat Professionnel Maintenance des systèmes de production connectés - MSPC",
            "Maintenance des systèmes de production connectés",
        ),
        ("Brevet de Technicien Supérieur Commerce international", "Commerce international"),
        ("BTS Électrotechnique", "Électrotechnique"),
        ("Ingénieur Chimie", "Ingénieur Chimie"),  # the occupation itself: kept
        ("CAP", "CAP"),  # nothing else to read: the title stays
    ],
)
def test_diploma_words_are_removed_from_training_titles(title: str, trade: str) -> None:
    assert training_title(title) == trade
