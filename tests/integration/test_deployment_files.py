"""docker/ and prefect.yaml cannot run here (no Docker engine): check that they parse and point at real things."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]


def test_compose_file_parses_and_wires_the_services():
    compose = yaml.safe_load((ROOT / "docker/compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"warehouse", "prefect-server", "worker", "deploy"} <= set(services)
    worker = services["worker"]
    assert worker["build"]["dockerfile"] == "docker/Dockerfile"
    assert (ROOT / "docker" / worker["build"]["context"] / worker["build"]["dockerfile"]).resolve().is_file()
    assert worker["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@warehouse:5432/" in worker["environment"]["DATABASE_URL"]
    assert worker["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert "newsetl-pool" in worker["entrypoint"]
    assert set(worker["depends_on"]) == {"warehouse", "prefect-server"}


def test_dockerfile_copies_what_exists():
    lines = (ROOT / "docker/Dockerfile").read_text(encoding="utf-8").splitlines()
    copied = [part for line in lines if line.startswith("COPY") for part in line.split()[1:-1]]
    assert copied and all((ROOT / part).exists() for part in copied)


def test_prefect_yaml_deployment_points_at_the_ingest_flow():
    from flows.cli import _parser

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = config["deployments"]
    path, name = deployment["entrypoint"].split(":")
    assert (ROOT / path).is_file()
    import flows.ingest

    flow = getattr(flows.ingest, name)
    assert flow.name == "ingest"
    assert set(deployment["parameters"]) <= set(flow.parameters.properties)
    assert deployment["work_pool"]["name"] == "newsetl-pool"
    serve = _parser().parse_args(["serve", "--cron", "* * * * *"])
    assert serve.name == deployment["name"]  # `newsetl serve` and prefect.yaml name the same deployment
