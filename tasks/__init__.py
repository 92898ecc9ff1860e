"""The steps of the newsetl pipeline: discover, fetch, extract, normalise, dedupe, load.

Each module holds plain functions that work without Prefect; ``tasks.pipeline``
wraps the batch-level units as Prefect tasks for the flows in ``flows/``.
"""

import os

# Prefect's local (ephemeral) API server takes about 10 s to start on a small machine,
# more than its default timeout; and a news ETL has no business phoning home. These are
# defaults only: a value already in the environment wins.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
