"""The steps of the newsetl pipeline: discover, fetch, extract, normalise, dedupe, load.

Each module holds plain functions that work without Prefect; the flows in ``flows/``
call them in order (``flows/ingest.py``) and wrap the per-source and per-batch units
as Prefect tasks. No step calls the step after it.
"""

import os

# Prefect's local (ephemeral) API server takes about 10 s to start on a small machine,
# more than its default timeout; and a news ETL has no business phoning home. These are
# defaults only: a value already in the environment wins.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
