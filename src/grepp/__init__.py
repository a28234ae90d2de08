"""grepp — an offline, AI-powered skills and jobs observatory for the Grand Est region.

The package is a pipeline you can read off its folder names: ``sources`` read the outside world,
``taxonomy`` holds ROME 4.0 and ESCO, ``enrich`` codes offers, ``store`` is the only code that speaks
SQL, ``indicators``/``forecast``/``pathways`` compute over tables, and ``cli``/``api``/``web`` are thin
boundaries. Nothing is done at import time.
"""

__version__ = "0.1.0"
