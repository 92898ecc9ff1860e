"""docker/ and prefect.yaml cannot run here (no Docker engine): check that they parse and point at real things."""

from __future__ import annotations

from pathlib import Path

import pytest
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
    assert set(deployments) == {"newsetl-ingest", "newsetl-backfill"}
    import flows.backfill
    import flows.ingest

    for deployment, module, flow_name in ((deployments["newsetl-ingest"], flows.ingest, "ingest"),
                                          (deployments["newsetl-backfill"], flows.backfill, "backfill")):
        path, name = deployment["entrypoint"].split(":")
        assert (ROOT / path).is_file()
        flow = getattr(module, name)
        assert flow.name == flow_name
        assert set(deployment["parameters"]) <= set(flow.parameters.properties)
        assert deployment["work_pool"]["name"] == "newsetl-pool"
    ingest = deployments["newsetl-ingest"]
    assert set(ingest["parameters"]) == {"sources_file", "only", "limit"}
    (schedule,) = ingest["schedules"]
    from flows.deploy import check_schedule

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


def _project(where: Path, edit=None) -> Path:
    """prefect.yaml and sources.toml as a checkout has them (``flows`` linked), prefect.yaml edited by ``edit``."""
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    if edit:
        edit({d["name"]: d for d in config["deployments"]})
    (where / "prefect.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (where / "sources.toml").write_text((ROOT / "sources.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (where / "flows").symlink_to(ROOT / "flows")
    return where / "prefect.yaml"


def _deploy(capsys, *args: str) -> tuple[int, list[str]]:
    from flows.cli import main

    code = main(["deploy", *args])
    return code, capsys.readouterr().err.strip().splitlines()


def test_deploy_check_passes_the_shipped_deployments(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, lines = _deploy(capsys, "--check", "--file", str(_project(tmp_path)))
    assert code == 0, lines
    assert lines[-1].endswith("prefect.yaml: 2 deployments checked: newsetl-ingest (flows/ingest.py:ingest, "
                              "1 schedules), newsetl-backfill (flows/backfill.py:backfill, 0 schedules)")


def _set(key: str, value):
    def edit(deployments: dict) -> None:
        target = deployments["newsetl-ingest"]
        *path, last = key.split(".")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return edit


@pytest.mark.parametrize(("edit", "message"), [
    (_set("schedules.0.cron", "61 * * * *"), "schedules[0].cron: "),
    (_set("schedules.0.timezone", "Mars/Base"), "schedules[0].timezone: "),
    (_set("parameters.limitt", 3), "parameter 'limitt' is not one of flow ingest's (sources_file, only, limit)"),
    (_set("parameters.limit", "ten"), "parameters: Validation failed for field 'limit'"),
    (_set("parameters.only", ["nosuchpaper"]), "parameter 'sources_file': "),
    (_set("parameters.sources_file", "elsewhere.toml"), "parameter 'sources_file': "),
    (_set("entrypoint", "flows/ingest.py:no_such_flow"), "entrypoint 'flows/ingest.py:no_such_flow' does not load"),
    (_set("work_pool", None), "no work_pool name"),
], ids=["cron", "timezone", "unknown-parameter", "parameter-type", "unknown-source", "no-sources-file",
        "entrypoint", "work-pool"])
def test_deploy_refuses_a_bad_deployment_in_one_line_with_exit_2_before_registering(tmp_path, capsys, monkeypatch,
                                                                                    edit, message):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens: registering would fail
    code, lines = _deploy(capsys, "--file", str(_project(tmp_path, edit)))
    assert code == 2
    (line,) = lines
    assert line.startswith("config error: prefect.yaml: deployment 'newsetl-ingest': ") and message in line, line


def test_deploy_without_a_prefect_server_to_register_with_is_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, lines = _deploy(capsys, "--file", str(_project(tmp_path)))
    assert code == 2 and "set PREFECT_API_URL" in lines[-1]
