"""``newsetl deploy``: check the deployments of ``prefect.yaml`` up front, then register them with Prefect.

``prefect deploy`` finds a bad cron expression, time zone or parameter only while it talks to the
server, as a traceback, or not at all (a parameter is checked when a worker runs it, a sources file
when the flow reads it). Here each deployment is checked before anything starts (exit 2 naming the
deployment and key): its entrypoint loads a flow, its parameters are ones the flow takes, of its
types, its sources file (relative to ``prefect.yaml``, as the worker's working directory is) reads
and names the sources in ``only``, each cron schedule is one Prefect's server takes, and it names a
work pool. Registering is then Prefect's own ``prefect deploy --all``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tasks.config import load_sources
from tasks.errors import ConfigError


@dataclass(frozen=True)
class Checked:
    name: str
    entrypoint: str
    schedules: int


def check_schedule(cron: str, timezone: str, names: tuple[str, str] = ("--cron", "--timezone")) -> None:
    """A cron expression and time zone as Prefect's server would take them, or ConfigError (exit 2), up front.

    Checked with Prefect's own schedule model, before a Prefect server is started: a bad one
    would otherwise surface 20 s later as a traceback from the deployment's registration.
    ``names`` are how the message calls the two (the options of ``newsetl serve`` by default).
    """
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0])
            option = {"cron": names[0], "timezone": names[1]}.get(field, field)
            problems.append(f"{option}: {error['msg'].removeprefix('Value error, ')}")
        raise ConfigError("; ".join(problems)) from None


def check_prefect_yaml(path: Path) -> list[Checked]:
    """Every deployment of ``path`` checked as above; ConfigError at the first fault, naming it."""
    import yaml

    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (newsetl deploy reads the project's prefect.yaml)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not YAML: {str(exc).splitlines()[0]}") from None
    deployments = config.get("deployments") if isinstance(config, dict) else None
    if not isinstance(deployments, list) or not deployments:
        raise ConfigError(f"{path}: no 'deployments' list")
    return [_check_deployment(path, index, d) for index, d in enumerate(deployments)]


def _check_deployment(path: Path, index: int, deployment: object) -> Checked:
    if not isinstance(deployment, dict) or not deployment.get("name"):
        raise ConfigError(f"{path}: deployments[{index}] has no name")
    name = deployment["name"]
    where = f"{path.name}: deployment {name!r}"
    entrypoint = deployment.get("entrypoint") or ""
    flow = _load_flow(path.parent, entrypoint, where)
    parameters = deployment.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ConfigError(f"{where}: parameters must be a mapping")
    unknown = sorted(set(parameters) - set(flow.parameters.properties))
    if unknown:
        raise ConfigError(f"{where}: parameter {unknown[0]!r} is not one of flow {flow.name}'s "
                          f"({', '.join(flow.parameters.properties)})")
    from prefect.utilities.schema_tools.validation import ValidationError, validate

    try:  # the check Prefect's server makes of a deployment's parameters: the flow's schema, none required yet
        validate(parameters, flow.parameters.model_dump(mode="json"), raise_on_error=True, ignore_required=True)
    except ValidationError as exc:
        raise ConfigError(f"{where}: parameters: {' '.join(str(exc).split())}") from None
    if isinstance(parameters.get("sources_file"), str):
        sources = Path(parameters["sources_file"])
        try:
            load_sources(sources if sources.is_absolute() else path.parent / sources, parameters.get("only"))
        except ConfigError as exc:
            raise ConfigError(f"{where}: parameter 'sources_file': {exc}") from None
    schedules = deployment.get("schedules") or []
    for number, schedule in enumerate(schedules):
        if isinstance(schedule, dict) and "cron" in schedule:
            try:
                check_schedule(str(schedule["cron"]), str(schedule.get("timezone") or "UTC"),
                               names=(f"schedules[{number}].cron", f"schedules[{number}].timezone"))
            except ConfigError as exc:
                raise ConfigError(f"{where}: {exc}") from None
    if not (deployment.get("work_pool") or {}).get("name"):
        raise ConfigError(f"{where}: no work_pool name (the pool whose workers run it)")
    return Checked(name, entrypoint, len(schedules))


def _load_flow(base: Path, entrypoint: str, where: str):
    from prefect.flows import load_flow_from_entrypoint

    file, _, attribute = entrypoint.partition(":")
    if not attribute or not (base / file).is_file():
        raise ConfigError(f"{where}: entrypoint {entrypoint!r} is not FILE:FLOW with FILE under {base}")
    try:
        return load_flow_from_entrypoint(f"{base / file}:{attribute}", use_placeholder_flow=False)
    except Exception as exc:
        raise ConfigError(f"{where}: entrypoint {entrypoint!r} does not load a flow: "
                          f"{type(exc).__name__}: {exc}") from None


def register(path: Path) -> int:
    """``prefect deploy --all`` of ``path`` against ``PREFECT_API_URL``; its exit code."""
    if not os.environ.get("PREFECT_API_URL"):
        raise ConfigError("newsetl deploy registers the deployments with a Prefect server: set PREFECT_API_URL "
                          "(e.g. http://127.0.0.1:4200/api), or only check them with --check")
    command = [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all", "--prefect-file", str(path)]
    return subprocess.call(command, cwd=path.parent)
