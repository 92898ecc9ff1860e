"""The warehouse: where it is and how its schema is kept up to date (``db``), what a run reads before
it fetches (``reads``), and every write (``writes``); the statements themselves live in ``sql/``.
"""
