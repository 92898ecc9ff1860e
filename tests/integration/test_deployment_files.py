"""docker/ and prefect.yaml cannot run here (no Docker engine): check that they parse and point at real things."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker/compose.yaml").read_text(encoding="utf-8"))


def test_compose_file_parses_and_wires_the_services():
    compose = _compose()
    services = compose["services"]
    assert {"warehouse", "prefect-server", "worker", "deploy"} <= set(services)
    worker = services["worker"]
    assert worker["build"]["dockerfile"] == "docker/Dockerfile"
    assert (ROOT / "docker" / worker["build"]["context"] / worker["build"]["dockerfile"]).resolve().is_file()
    assert worker["environment"]["DATABASE_URL_FILE"] == "/run/secrets/database_url"
    assert "database_url" in worker["secrets"]
    assert worker["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    assert "newsetl-pool" in worker["entrypoint"]
    assert set(worker["depends_on"]) == {"warehouse", "prefect-server"}
    assert "newsetl deploy" in services["deploy"]["command"][0]  # checked before it is registered


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [x for k, v in node.items() for x in (str(k), *_strings(v))]
    if isinstance(node, list):
        return [x for v in node for x in _strings(v)]
    return [str(node)]


def test_compose_holds_no_password_only_secrets_from_files_outside_git():
    compose = _compose()
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            assert "PASSWORD" not in key or key.endswith("_FILE"), f"{name}: {key} is a plain-text password"
            assert not re.search(r"://[^/@\s]*:[^/@\s]+@", str(value)), f"{name}: {key} holds a password"
        for secret in service.get("secrets", []):
            assert secret in compose["secrets"], f"{name}: secret {secret} is not declared"
    assert not any(re.search(r"://[^/@\s]*:[^/@\s]+@", text) for text in _strings(compose))
    for secret in compose["secrets"].values():
        path = (ROOT / "docker" / secret["file"]).resolve()
        assert path.is_relative_to(ROOT / "docker" / "secrets")
    assert "docker/secrets/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert compose["services"]["warehouse"]["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")


def test_the_sources_file_is_mounted_read_only_not_baked_into_the_image():
    dockerfile = (ROOT / "docker/Dockerfile").read_text(encoding="utf-8")
    copied = [part for line in dockerfile.splitlines() if line.startswith("COPY") for part in line.split()[1:-1]]
    assert "sources.toml" not in copied
    for name, service in _compose()["services"].items():
        if "build" not in service:
            continue
        mounts = [v for v in service.get("volumes", []) if v.split(":")[-2:] == ["/app/sources.toml", "ro"]]
        assert mounts, f"{name} does not mount the sources file at /app/sources.toml read-only"


def test_a_profile_runs_two_workers_on_the_pool():
    services = _compose()["services"]
    workers = {name: s for name, s in services.items() if s.get("entrypoint", [])[:3] == ["prefect", "worker", "start"]}
    default = [name for name, s in workers.items() if not s.get("profiles")]
    two = [name for name, s in workers.items() if not s.get("profiles") or "two-workers" in s["profiles"]]
    assert len(default) == 1 and len(two) == 2
    assert all("newsetl-pool" in workers[name]["entrypoint"] for name in two)


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            pins[canonicalize_name(name)] = pinned.strip()
    return pins


def test_constraints_pin_every_declared_dependency_within_its_range_and_the_image_installs_them():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _constraints()
    assert "newsetl" not in pins  # the project itself is what is being installed
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"constraints.txt has no pin for {requirement.name}: refresh it (see its header)"
        assert Version(pins[name]) in requirement.specifier, (
            f"constraints.txt pins {requirement.name}=={pins[name]}, outside {requirement}: refresh it")
    dockerfile = (ROOT / "docker/Dockerfile").read_text(encoding="utf-8")
    assert "pip install -c constraints.txt ." in dockerfile and "constraints.txt" in dockerfile.split("COPY")[1]
    assert "-c constraints.txt" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_prefect_is_one_version_in_constraints_prefect_yaml_and_the_compose_server_image():
    pinned = str(yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["prefect-version"])
    assert _constraints()["prefect"] == pinned
    image = _compose()["services"]["prefect-server"]["image"]
    assert image.startswith(f"prefecthq/prefect:{pinned}-"), image


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
    from flows.deploy import check_schedule

    check_schedule(schedule["cron"], schedule["timezone"])  # what `newsetl serve` accepts
    serve = _parser().parse_args(["serve", "--cron", "* * * * *"])
    assert serve.name == ingest["name"]  # `newsetl serve` and prefect.yaml name the same deployment


def test_prefect_yaml_pins_a_prefect_version_pyproject_allows_and_the_one_installed():
    import tomllib
    from importlib.metadata import version

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


# A log record ("2026-12-01 13:50:01,123 WARNING prefect...: ..."): in the whole suite a thread an earlier test
# left (a Prefect client, a server being stopped) may log into this test's captured stderr. Not the command's words.
LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")


def _deploy(capsys, *args: str) -> tuple[int, list[str]]:
    """Exit code and what ``newsetl deploy`` printed on stderr, line by line, other threads' log records left out."""
    from flows.cli import main

    code = main(["deploy", *args])
    return code, [line for line in capsys.readouterr().err.strip().splitlines() if not LOG_RECORD.match(line)]


def test_deploy_check_passes_the_shipped_deployments(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, lines = _deploy(capsys, "--check", "--file", str(_project(tmp_path)))
    assert code == 0, lines
    assert lines[-1].endswith(
        "prefect.yaml: 4 deployments checked: newsetl-ingest (flows/ingest.py:ingest, 1 schedules), "
        "newsetl-fanout (flows/fanout.py:ingest_fanout, 0 schedules), newsetl-ingest-shard (flows/ingest.py:ingest, "
        "0 schedules), newsetl-backfill (flows/backfill.py:backfill, 0 schedules)")


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
    assert len(lines) == 1, lines
    (line,) = lines
    assert line.startswith("config error: prefect.yaml: deployment 'newsetl-ingest': ") and message in line, line


def test_deploy_without_a_prefect_server_to_register_with_is_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, lines = _deploy(capsys, "--file", str(_project(tmp_path)))
    assert code == 2 and "set PREFECT_API_URL" in lines[-1]
