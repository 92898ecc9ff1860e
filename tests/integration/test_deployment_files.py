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


def test_prefect_yaml_deployments_point_at_the_flows_with_their_parameters():
    from flows.cli import _parser

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert "pull" not in config  # prefect deploy records its own directory; a fixed /app crashed outside the image
    deployments = {d["name"]: d for d in config["deployments"]}
    assert set(deployments) == {"newsetl-ingest", "newsetl-backfill", "newsetl-fanout", "newsetl-ingest-shard"}
    import flows.backfill
    import flows.fanout
    import flows.ingest

    for deployment, module, flow_name in ((deployments["newsetl-ingest"], flows.ingest, "ingest"),
                                          (deployments["newsetl-backfill"], flows.backfill, "backfill"),
                                          (deployments["newsetl-fanout"], flows.fanout, "ingest-fanout"),
                                          (deployments["newsetl-ingest-shard"], flows.ingest, "ingest")):
        path, name = deployment["entrypoint"].split(":")
        assert (ROOT / path).is_file()
        flow = getattr(module, name)
        assert flow.name == flow_name
        assert set(deployment["parameters"]) <= set(flow.parameters.properties)
        assert deployment["work_pool"]["name"] == "newsetl-pool"
    # The fan-out's children: the deployment it names, with no schedule and no limit of one run at a time.
    shard = deployments["newsetl-ingest-shard"]
    assert f"ingest/{shard['name']}" == flows.fanout.SHARD_DEPLOYMENT
    assert "schedules" not in shard and "concurrency_limit" not in shard
    ingest = deployments["newsetl-ingest"]
    assert set(ingest["parameters"]) == {"sources_file", "only", "limit"}
    (schedule,) = ingest["schedules"]
    from flows.cli import check_schedule

    check_schedule(schedule["cron"], schedule["timezone"])  # what `newsetl serve` accepts
    serve = _parser().parse_args(["serve", "--cron", "* * * * *"])
    assert serve.name == ingest["name"]  # `newsetl serve` and prefect.yaml name the same deployment


def test_prefect_yaml_pins_a_prefect_version_pyproject_allows_and_the_one_installed():
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    pinned = Version(str(config["prefect-version"]))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (prefect,) = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == "prefect"]
    assert pinned in prefect.specifier
    installed = Version(version("prefect"))
    assert (installed.major, installed.minor) == (pinned.major, pinned.minor), (
        f"Prefect {installed} is installed, prefect.yaml pins {pinned}: update the pin with the requirement")
