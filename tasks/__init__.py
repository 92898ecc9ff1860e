"""The steps of the newsetl pipeline: discover, fetch, extract, normalise, dedupe, load.

Each module holds plain functions that work without Prefect; ``tasks.prefect_tasks``
wraps the batch-level ones as Prefect tasks for the flows in ``flows/``.
"""
