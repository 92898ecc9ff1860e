"""Notifications: a run that failed, lost a source entirely, or left a source drifted or stale, posted as JSON.

``flows.runs`` calls :func:`notify` once a run is recorded; nothing is sent when
``NEWSETL_ALERT_WEBHOOK`` is unset or the run is healthy. The message is one JSON object
(:func:`alert_message`) with a ``text`` line as well, so chat webhooks (Slack, Mattermost, Teams
workflows) show it as it comes. The post is not a site fetch, so it does not go through
``tasks.fetch`` (no robots.txt, no source scope: the URL is the operator's own); it has a short
timeout and no retries, and a webhook that fails or answers an error is a warning in the run's
log, never a failure of the run: the run's own state and exit code already tell cron and Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import requests

from tasks.config import USER_AGENT
from tasks.records import SourceDrift

# Seconds for connecting to and hearing back from the webhook: a run should not wait on a chat service.
ALERT_TIMEOUT = 5.0

log = logging.getLogger(__name__)


def alert_message(*, flow: str, run_id: int, status: str, flow_run_id: str | None,
                  failed: Sequence[tuple[str, str]], drift: Sequence[SourceDrift],
                  error: str | None = None) -> dict[str, Any] | None:
    """The JSON message for a run, or None when there is nothing to tell (it completed with no source flagged).

    ``failed`` holds the sources that failed entirely with their reasons; ``drift`` the flagged ones.
    """
    if status != "failed" and not failed and not drift:
        return None
    parts = [f"newsetl {flow} run {run_id}: {status}"]
    if error:
        parts.append(error)
    parts += [f"{source} failed entirely: {reason}" for source, reason in failed]
    parts += [f"{d.source} {'stale' if d.stale and not d.signals else 'drifted'}: {d.detail}" for d in drift]
    return {
        "text": "; ".join(parts),
        "flow": flow,
        "run_id": run_id,
        "status": status,
        "flow_run_id": flow_run_id,
        "error": error,
        "failed_sources": [{"source": source, "reason": reason} for source, reason in failed],
        "drifted_sources": [{"source": d.source, "signals": list(d.signals), "stale": d.stale, "detail": d.detail}
                            for d in drift],
    }


def post_alert(url: str, message: dict[str, Any], logger: logging.Logger | logging.LoggerAdapter = log) -> bool:
    """POST ``message`` to ``url``; True when it answered 2xx. Any failure is logged as a warning, never raised."""
    try:
        response = requests.post(url, json=message, timeout=ALERT_TIMEOUT, allow_redirects=False,
                                 headers={"User-Agent": USER_AGENT})
    except requests.RequestException as exc:  # its message may quote the URL, whose path is often a secret
        logger.warning("alert webhook on %s not reached: %s", urlsplit(url).hostname, type(exc).__name__)
        return False
    if not 200 <= response.status_code < 300:
        logger.warning("alert webhook answered HTTP %d: %s", response.status_code, response.text[:200])
        return False
    return True
