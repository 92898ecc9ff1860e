"""Prefect flows that compose the steps in ``tasks/``, and the ``newsetl`` command line."""

import tasks  # noqa: F401  - applies the Prefect environment defaults before Prefect is imported
