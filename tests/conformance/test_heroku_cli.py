"""The real Heroku CLI (npm `heroku`, pinned in package.json) as a conformance client of the sandbox.

Every everyday command a team uses to change Heroku by hand runs against a sandbox on a loopback
port (`HEROKU_HOST`), exactly as a person would type it, and each is checked twice: the CLI's exit
code, and its effect read back through the Platform API. Command families touch different apps and
run at the same time (each CLI start costs about two seconds of Node.js); each test then asserts on
what its family recorded.

Install the CLI with `npm ci --prefix tests/conformance` (`.ci/run` does). In CI (`CI=true`) a missing
CLI fails this module; elsewhere it is skipped with that command.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.sandbox import BackgroundServer, SandboxConfig, create_app
from tests.fixtures.heroku_cli import HerokuCli, require_cli
from tests.sandbox.scenario import Exchange, RecordingApp
from tests.sandbox.schema import errors, lenient, link_for, unexplained

pytestmark = pytest.mark.slow

TOKEN = "conformance-token"
ACCEPT = "application/vnd.heroku+json; version=3"


@dataclass(frozen=True)
class Ran:
    """One CLI command: what was typed, its exit code and output, and the API state read right after it."""

    command: str
    code: int
    out: str
    err: str
    effect: Any


@dataclass
class Family:
    """A sequence of commands on its own apps; `ran` by command name (the first words typed)."""

    ran: dict[str, Ran] = field(default_factory=dict)

    def __getitem__(self, command: str) -> Ran:
        return self.ran[command]


class Session:
    """The CLI pointed at the sandbox, and a Platform API client to read effects back."""

    def __init__(self, base_url: str, home: Path, recorder: RecordingApp) -> None:
        self.recorder = recorder
        self.cli = HerokuCli(base_url, TOKEN, home)
        self.api = httpx.Client(
            base_url=base_url, headers={"Accept": ACCEPT, "Authorization": f"Bearer {TOKEN}"}, timeout=30
        )

    def run(self, family: Family, command: str, read: Callable[[], Any] = lambda: None, *, key: str = "") -> Ran:
        done = self.cli.run(command)
        ran = Ran(command, done.code, done.out, done.err, read())
        family.ran[key or command.split()[0]] = ran
        return ran

    def get(self, path: str) -> Any:
        response = self.api.get(path, headers={"Range": "id ..; max=1000"})
        return response.json() if response.is_success else response.status_code

    def deploy(self, app: str, process_types: dict[str, str]) -> None:
        """What `git push heroku` would do: a slug with these process types, released."""
        slug = self.api.post(f"/apps/{app}/slugs", json={"process_types": process_types}).json()
        self.api.post(f"/apps/{app}/releases", json={"slug": slug["id"]}).raise_for_status()


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    require_cli()
    recorder = RecordingApp(create_app(SandboxConfig(tokens=frozenset({TOKEN}), seed=11)))
    with BackgroundServer(recorder) as server:
        session = Session(server.base_url, tmp_path_factory.mktemp("cli-home"), recorder)
        with session.api:
            yield session


# --- the families -----------------------------------------------------------------------------------


def apps_family(s: Session) -> Family:
    f = Family()
    s.run(f, "apps:create cf-apps-one --region eu --stack heroku-22", lambda: s.get("/apps/cf-apps-one"))
    s.run(f, "apps", lambda: s.get("/users/~/apps"))
    s.run(f, "apps:info -a cf-apps-one", key="apps:info")
    s.run(f, "info -a cf-apps-one", key="info")
    s.run(f, "regions")
    s.run(f, "auth:whoami", key="auth:whoami")
    s.run(f, "certs -a cf-apps-one", key="certs")
    s.run(f, "apps:rename cf-apps-two -a cf-apps-one", lambda: s.get("/apps/cf-apps-two"), key="apps:rename")
    s.run(f, "stack:set heroku-24 -a cf-apps-two", lambda: s.get("/apps/cf-apps-two"), key="stack:set")
    s.run(f, "maintenance:on -a cf-apps-two", lambda: s.get("/apps/cf-apps-two"), key="maintenance:on")
    s.run(f, "maintenance -a cf-apps-two", key="maintenance")
    s.run(f, "maintenance:off -a cf-apps-two", lambda: s.get("/apps/cf-apps-two"), key="maintenance:off")
    s.run(f, "apps:destroy -a cf-apps-two --confirm cf-apps-two", lambda: s.get("/apps/cf-apps-two"))
    return f


def config_family(s: Session) -> Family:
    f = Family()
    s.run(f, "apps:create cf-config")
    s.run(f, "config:set LOG_LEVEL=INFO FEATURE_X=on -a cf-config", lambda: s.get("/apps/cf-config/config-vars"))
    s.run(f, "config:get LOG_LEVEL -a cf-config", key="config:get")
    s.run(f, "config:unset FEATURE_X -a cf-config", lambda: s.get("/apps/cf-config/config-vars"))
    s.run(f, "config -a cf-config --json", key="config")
    return f


def addons_family(s: Session) -> Family:
    f = Family()
    s.run(f, "apps:create cf-addons")
    s.run(f, "apps:create cf-addons-other", key="other")
    s.run(
        f,
        "addons:create heroku-redis:mini --as CACHE --name cf-cache -a cf-addons",
        lambda: (s.get("/addons/cf-cache"), s.get("/apps/cf-addons/config-vars")),
    )
    s.run(f, "addons -a cf-addons", key="addons")
    s.run(f, "addons:info cf-cache", key="addons:info")
    s.run(
        f,
        "addons:attach cf-cache --as SHARED -a cf-addons-other",
        lambda: s.get("/apps/cf-addons-other/addon-attachments"),
    )
    s.run(f, "addons:detach SHARED -a cf-addons-other", lambda: s.get("/apps/cf-addons-other/addon-attachments"))
    s.run(f, "addons:rename cf-cache cf-kv", lambda: s.get("/addons/cf-kv"))
    s.run(f, "addons:rename cf-kv cf-cache", key="rename back")
    s.run(f, "addons:services", key="addons:services")
    s.run(f, "addons:plans heroku-redis", key="addons:plans")
    s.run(f, "addons:docs heroku-redis --show-url", key="addons:docs")
    s.run(f, "addons:upgrade cf-cache premium-0 -a cf-addons", lambda: s.get("/addons/cf-cache"))
    s.run(f, "addons:downgrade cf-cache mini -a cf-addons", lambda: s.get("/addons/cf-cache"))
    s.run(f, "addons:destroy cf-cache -a cf-addons --confirm cf-addons", lambda: s.get("/addons/cf-cache"))
    return f


def domains_family(s: Session) -> Family:
    f = Family()
    s.run(f, "apps:create cf-domains")
    s.run(f, "domains:add www.cf.example.com -a cf-domains", lambda: s.get("/apps/cf-domains/domains"))
    s.run(f, "domains -a cf-domains", key="domains")
    s.run(f, "domains:info www.cf.example.com -a cf-domains", key="domains:info")
    s.run(f, "certs:auto:enable -a cf-domains", lambda: s.get("/apps/cf-domains"))
    s.run(f, "certs:auto -a cf-domains", key="certs:auto")
    s.run(f, "domains:remove www.cf.example.com -a cf-domains", lambda: s.get("/apps/cf-domains/domains"))
    return f


def dynos_family(s: Session) -> Family:
    f = Family()
    s.run(f, "apps:create cf-dynos")
    s.deploy("cf-dynos", {"web": "gunicorn app:app", "worker": "celery worker"})
    s.run(f, "ps -a cf-dynos", key="ps")
    s.run(f, "ps:scale web=2:standard-1x worker=1 -a cf-dynos", lambda: s.get("/apps/cf-dynos/formation"))
    s.run(f, "ps:type worker=standard-2x -a cf-dynos", lambda: s.get("/apps/cf-dynos/formation"))
    s.run(f, "ps:restart -a cf-dynos", lambda: s.get("/apps/cf-dynos/dynos"))
    s.run(f, "ps:restart --process-type worker -a cf-dynos", lambda: s.get("/apps/cf-dynos/dynos"), key="restart type")
    s.run(f, "ps:stop --dyno-name web.2 -a cf-dynos", lambda: s.get("/apps/cf-dynos/dynos"))
    s.run(f, "features -a cf-dynos", key="features")
    s.run(f, "features:enable preboot -a cf-dynos", lambda: s.get("/apps/cf-dynos/features/preboot"))
    s.run(f, "features:disable preboot -a cf-dynos", lambda: s.get("/apps/cf-dynos/features/preboot"))
    s.run(f, "labs -a cf-dynos", key="labs")
    s.run(
        f,
        "labs:enable runtime-dyno-metadata -a cf-dynos",
        lambda: s.get("/apps/cf-dynos/features/runtime-dyno-metadata"),
    )
    s.run(f, "releases -a cf-dynos", key="releases")
    s.run(f, "releases:info v3 -a cf-dynos", key="releases:info")
    s.run(f, "releases:rollback v3 -a cf-dynos", lambda: s.get("/apps/cf-dynos/releases"))
    return f


def drains_and_buildpacks_family(s: Session) -> Family:
    f = Family()
    s.run(f, "apps:create cf-logs")
    drain = "syslog+tls://logs.cf.example.com:6514"
    s.run(f, f"drains:add {drain} -a cf-logs", lambda: s.get("/apps/cf-logs/log-drains"))
    s.run(f, "drains -a cf-logs", key="drains")
    s.run(f, f"drains:remove {drain} -a cf-logs", lambda: s.get("/apps/cf-logs/log-drains"))
    s.run(f, "buildpacks:set heroku/python -a cf-logs", lambda: s.get("/apps/cf-logs/buildpack-installations"))
    s.run(
        f,
        "buildpacks:add https://github.com/acme/heroku-buildpack-pdf -a cf-logs",
        lambda: s.get("/apps/cf-logs/buildpack-installations"),
    )
    s.run(f, "buildpacks -a cf-logs", key="buildpacks")
    s.run(
        f,
        "buildpacks:remove https://github.com/acme/heroku-buildpack-pdf -a cf-logs",
        lambda: s.get("/apps/cf-logs/buildpack-installations"),
    )
    s.run(f, "buildpacks:clear -a cf-logs", lambda: s.get("/apps/cf-logs/buildpack-installations"))
    return f


def pipelines_and_access_family(s: Session) -> Family:
    f = Family()
    s.run(f, "apps:create cf-pipe-staging", key="staging")
    s.run(f, "apps:create cf-pipe-production", key="production")
    s.deploy("cf-pipe-staging", {"web": "gunicorn app:app"})
    s.run(f, "pipelines:create cf-pipe -a cf-pipe-staging --stage staging", lambda: s.get("/pipelines/cf-pipe"))
    s.run(
        f,
        "pipelines:add cf-pipe -a cf-pipe-production --stage production",
        lambda: s.get("/apps/cf-pipe-production/pipeline-couplings"),
    )
    s.run(f, "pipelines:info cf-pipe", key="pipelines:info")
    s.run(f, "pipelines:promote -a cf-pipe-staging", lambda: s.get("/apps/cf-pipe-production/releases"))
    s.run(f, "access -a cf-pipe-production", key="access")
    s.run(
        f,
        "access:add bob@example.com -a cf-pipe-production",
        lambda: s.get("/apps/cf-pipe-production/collaborators"),
    )
    s.run(
        f,
        "access:remove bob@example.com -a cf-pipe-production",
        lambda: s.get("/apps/cf-pipe-production/collaborators"),
    )
    s.run(
        f,
        "pipelines:update -a cf-pipe-production --stage staging",
        lambda: s.get("/apps/cf-pipe-production/pipeline-couplings"),
    )
    s.run(f, "pipelines:remove -a cf-pipe-production", lambda: s.get("/apps/cf-pipe-production/pipeline-couplings"))
    s.run(f, "pipelines:rename cf-pipe cf-pipe-two", lambda: s.get("/pipelines/cf-pipe-two"))
    s.run(f, "pipelines:destroy cf-pipe-two", lambda: s.get("/apps/cf-pipe-staging/pipeline-couplings"))
    return f


def teams_family(s: Session) -> Family:
    f = Family()
    s.api.post("/teams", json={"name": "cf-team"}).raise_for_status()  # teams are made in the Dashboard
    s.run(f, "teams")
    s.run(f, "members:add dev@example.com --team cf-team --role member", lambda: s.get("/teams/cf-team/members"))
    s.run(f, "members --team cf-team", key="members")
    s.run(f, "apps:create cf-team-app --team cf-team", lambda: s.get("/teams/apps/cf-team-app"))
    s.run(f, "apps --team cf-team", key="apps")
    s.run(
        f,
        "access:add dev@example.com -a cf-team-app --permissions deploy",
        lambda: s.get("/teams/apps/cf-team-app/collaborators"),
    )
    s.run(f, "access -a cf-team-app", key="access")
    s.run(
        f,
        "access:update dev@example.com -a cf-team-app --permissions deploy,operate",
        lambda: s.get("/teams/apps/cf-team-app/collaborators/dev@example.com"),
    )
    s.run(f, "apps:lock -a cf-team-app", lambda: s.get("/teams/apps/cf-team-app"))
    s.run(f, "apps:unlock -a cf-team-app", lambda: s.get("/teams/apps/cf-team-app"))
    s.run(
        f,
        "access:remove dev@example.com -a cf-team-app",
        lambda: s.get("/teams/apps/cf-team-app/collaborators"),
    )
    s.run(f, "members:set dev@example.com --team cf-team --role admin", lambda: s.get("/teams/cf-team/members"))
    s.run(f, "members:remove dev@example.com --team cf-team", lambda: s.get("/teams/cf-team/members"))
    return f


FAMILIES: dict[str, Callable[[Session], Family]] = {
    "apps": apps_family,
    "config": config_family,
    "addons": addons_family,
    "domains": domains_family,
    "dynos": dynos_family,
    "logs": drains_and_buildpacks_family,
    "pipelines": pipelines_and_access_family,
    "teams": teams_family,
}


@pytest.fixture(scope="module")
def families(session: Session) -> dict[str, Family]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(run, session) for name, run in FAMILIES.items()}
        return {name: future.result() for name, future in futures.items()}


def succeeded(family: Family) -> dict[str, int]:
    """Every command's exit code, for one whole assertion per family."""
    return {key: ran.code for key, ran in family.ran.items()}


def every_zero(family: Family) -> dict[str, int]:
    return dict.fromkeys(family.ran, 0)


# --- the assertions -----------------------------------------------------------------------------------


def test_apps_are_created_listed_renamed_restacked_put_in_maintenance_and_destroyed(
    families: dict[str, Family],
) -> None:
    f = families["apps"]

    assert succeeded(f) == every_zero(f), {k: r.err for k, r in f.ran.items() if r.code}
    created = f["apps:create"].effect
    assert (created["region"]["name"], created["build_stack"]["name"]) == ("eu", "heroku-22")
    assert "cf-apps-one" in [a["name"] for a in f["apps"].effect]
    assert "cf-apps-one" in f["apps"].out
    assert "Region:         eu" in f["apps:info"].out
    assert f["auth:whoami"].out == "sandbox@example.com\n"
    assert "has no SSL certificates" in f["certs"].out
    assert f["info"].out == f["apps:info"].out
    assert [line.split()[0] for line in f["regions"].out.splitlines()[2:4]] == ["eu", "us"]
    assert f["apps:rename"].effect["name"] == "cf-apps-two"
    assert f["stack:set"].effect["build_stack"]["name"] == "heroku-24"
    assert (f["maintenance:on"].effect["maintenance"], f["maintenance"].out.strip()) == (True, "on")
    assert f["maintenance:off"].effect["maintenance"] is False
    assert f["apps:destroy"].effect == 404


def test_config_vars_are_set_read_unset_and_printed_as_json(families: dict[str, Family]) -> None:
    f = families["config"]

    assert succeeded(f) == every_zero(f), {k: r.err for k, r in f.ran.items() if r.code}
    assert f["config:set"].effect == {"LOG_LEVEL": "INFO", "FEATURE_X": "on"}
    assert f["config:get"].out == "INFO\n"
    assert f["config:unset"].effect == {"LOG_LEVEL": "INFO"}
    assert f["config"].out.strip().startswith("{")
    assert '"LOG_LEVEL": "INFO"' in f["config"].out


def test_addons_are_created_with_an_attachment_name_listed_attached_resized_and_destroyed(
    families: dict[str, Family],
) -> None:
    f = families["addons"]

    assert succeeded(f) == every_zero(f), {k: r.err for k, r in f.ran.items() if r.code}
    addon, config = f["addons:create"].effect
    assert (addon["plan"]["name"], sorted(config)) == ("heroku-redis:mini", ["CACHE_URL"])
    assert "cf-cache" in f["addons"].out
    assert "as CACHE" in f["addons"].out
    assert "Attachments:  cf-addons::CACHE" in f["addons:info"].out
    assert [a["name"] for a in f["addons:attach"].effect] == ["SHARED"]
    assert f["addons:detach"].effect == []
    assert f["addons:rename"].effect["name"] == "cf-kv"
    assert "heroku-redis" in f["addons:services"].out
    assert "heroku-redis:premium-0" in f["addons:plans"].out
    assert "https://devcenter.heroku.com/articles/heroku-redis" in f["addons:docs"].out
    assert f["addons:upgrade"].effect["plan"]["name"] == "heroku-redis:premium-0"
    assert f["addons:downgrade"].effect["plan"]["name"] == "heroku-redis:mini"
    assert f["addons:destroy"].effect == 404


def test_domains_are_added_listed_given_acm_and_removed(families: dict[str, Family]) -> None:
    f = families["domains"]

    assert succeeded(f) == every_zero(f), {k: r.err for k, r in f.ran.items() if r.code}
    assert [d["hostname"] for d in f["domains:add"].effect if d["kind"] == "custom"] == ["www.cf.example.com"]
    assert "www.cf.example.com" in f["domains"].out
    assert "kind:       custom" in f["domains:info"].out
    assert f["certs:auto:enable"].effect["acm"] is True
    assert "www.cf.example.com" in f["certs:auto"].out
    assert [d["kind"] for d in f["domains:remove"].effect] == ["heroku"]


def test_dynos_are_listed_scaled_and_resized_features_toggled_and_releases_rolled_back(
    families: dict[str, Family],
) -> None:
    f = families["dynos"]

    assert succeeded(f) == every_zero(f), {k: r.err for k, r in f.ran.items() if r.code}
    assert "web.1: up" in f["ps"].out
    scaled = {p["type"]: (p["quantity"], p["size"]) for p in f["ps:scale"].effect}
    assert scaled == {"web": (2, "Standard-1X"), "worker": (1, "Basic")}
    resized = {p["type"]: (p["quantity"], p["size"]) for p in f["ps:type"].effect}
    assert resized == {"web": (2, "Standard-1X"), "worker": (1, "Standard-2X")}
    assert sorted(d["name"] for d in f["ps:restart"].effect) == ["web.1", "web.2", "worker.1"]
    restarted = {d["name"]: d["created_at"] for d in f["restart type"].effect}
    assert restarted["worker.1"] >= restarted["web.1"]
    assert sorted(d["name"] for d in f["ps:stop"].effect) == ["web.1", "web.2", "worker.1"]  # started again
    assert "preboot" in f["features"].out
    assert (f["features:enable"].effect["enabled"], f["features:disable"].effect["enabled"]) == (True, False)
    assert f["labs:enable"].effect["enabled"] is True
    assert "v3" in f["releases"].out
    assert "Release v3" in f["releases:info"].out
    newest = max(f["releases:rollback"].effect, key=lambda r: r["version"])
    assert (newest["version"], newest["description"]) == (4, "Rollback to v3")


def test_drains_and_buildpacks_are_added_listed_and_removed(families: dict[str, Family]) -> None:
    f = families["logs"]

    assert succeeded(f) == every_zero(f), {k: r.err for k, r in f.ran.items() if r.code}
    assert [d["url"] for d in f["drains:add"].effect] == ["syslog+tls://logs.cf.example.com:6514"]
    assert "syslog+tls://logs.cf.example.com:6514" in f["drains"].out
    assert f["drains:remove"].effect == []
    assert [b["buildpack"]["name"] for b in f["buildpacks:set"].effect] == ["heroku/python"]
    assert [b["buildpack"]["name"] for b in f["buildpacks:add"].effect] == [
        "heroku/python",
        "https://github.com/acme/heroku-buildpack-pdf",
    ]
    assert "heroku/python" in f["buildpacks"].out
    assert [b["buildpack"]["name"] for b in f["buildpacks:remove"].effect] == ["heroku/python"]
    assert f["buildpacks:clear"].effect == []


def test_a_pipeline_is_created_joined_shown_and_promoted_and_access_is_granted_and_revoked(
    families: dict[str, Family],
) -> None:
    f = families["pipelines"]

    assert succeeded(f) == every_zero(f), {k: r.err for k, r in f.ran.items() if r.code}
    assert f["pipelines:create"].effect["name"] == "cf-pipe"
    assert f["pipelines:add"].effect["stage"] == "production"
    assert "cf-pipe-production" in f["pipelines:info"].out
    assert "production" in f["pipelines:info"].out
    promoted = max(f["pipelines:promote"].effect, key=lambda r: r["version"])
    assert promoted["description"].startswith("Promote cf-pipe-staging")
    assert "sandbox@example.com" in f["access"].out
    assert "owner" in f["access"].out
    assert [c["user"]["email"] for c in f["access:add"].effect] == ["sandbox@example.com", "bob@example.com"]
    assert [c["role"] for c in f["access:remove"].effect] == ["owner"]
    assert f["pipelines:update"].effect["stage"] == "staging"
    assert f["pipelines:remove"].effect == 404
    assert f["pipelines:rename"].effect["name"] == "cf-pipe-two"
    assert f["pipelines:destroy"].effect == 404


def test_a_team_gets_members_a_team_app_and_per_app_permissions(families: dict[str, Family]) -> None:
    f = families["teams"]

    assert succeeded(f) == every_zero(f), {k: r.err for k, r in f.ran.items() if r.code}
    assert "cf-team" in f["teams"].out
    assert {m["email"]: m["role"] for m in f["members:add"].effect} == {
        "sandbox@example.com": "admin",
        "dev@example.com": "member",
    }
    assert "dev@example.com" in f["members"].out
    assert f["apps:create"].effect["team"] == {"name": "cf-team"}
    assert "cf-team-app" in f["apps"].out
    granted = {c["user"]["email"]: [p["name"] for p in c["permissions"]] for c in f["access:add"].effect}
    assert granted == {"dev@example.com": ["view", "deploy"]}
    assert "dev@example.com" in f["access"].out
    assert [p["name"] for p in f["access:update"].effect["permissions"]] == ["view", "deploy", "operate"]
    assert (f["apps:lock"].effect["locked"], f["apps:unlock"].effect["locked"]) == (True, False)
    assert f["access:remove"].effect == []
    assert {m["email"]: m["role"] for m in f["members:set"].effect}["dev@example.com"] == "admin"
    assert [m["email"] for m in f["members:remove"].effect] == ["sandbox@example.com"]


def test_every_command_family_ran(families: dict[str, Family]) -> None:
    assert sorted(families) == sorted(FAMILIES)
    assert sum(len(f.ran) for f in families.values()) == 90


# --- what the CLI exchanged, against Heroku's schema -----------------------------------------------


@pytest.fixture(scope="module")
def cli_exchanges(session: Session, families: dict[str, Family]) -> list[Exchange]:
    """Every Platform API exchange of the CLI runs (the effects read back by this module excluded)."""
    return [e for e in session.recorder.exchanges if e.status and not e.path.startswith("/__sandbox/")]


def test_the_cli_never_asked_for_a_link_the_sandbox_does_not_serve(cli_exchanges: list[Exchange]) -> None:
    unknown = [
        (e.method, e.path)
        for e in cli_exchanges
        if e.status == 404 and isinstance(e.response_body, dict) and "resource" not in e.response_body
    ]

    assert unknown == []


def test_every_answer_the_cli_got_validates_against_heroku_s_schema(cli_exchanges: list[Exchange]) -> None:
    problems, checked = [], 0
    for exchange in cli_exchanges:
        link = link_for(exchange.method, exchange.path, exchange.request_body)
        if link is None or link.target is None or not 200 <= exchange.status < 300:
            continue
        checked += 1
        for problem in errors(link.target, exchange.response_body):
            problems.append(f"{exchange.method} {exchange.path} ({link.resource} {link.title}): {problem}")

    assert problems == []
    assert checked >= 150


def test_every_body_the_cli_sent_and_the_sandbox_accepted_is_one_heroku_accepts(
    cli_exchanges: list[Exchange],
) -> None:
    problems, checked = [], 0
    for exchange in cli_exchanges:
        link = link_for(exchange.method, exchange.path, exchange.request_body)
        if link is None or link.request is None or not 200 <= exchange.status < 300:
            continue
        checked += 1
        found = errors(lenient(link.request), exchange.request_body or {})
        problems += [f"{exchange.method} {exchange.path}: {p}" for p in unexplained(exchange.method, link.href, found)]

    assert problems == []
    assert checked >= 30


def test_the_cli_never_touched_this_repository_s_git_remotes(families: dict[str, Family]) -> None:
    remotes = subprocess.run(
        ["git", "remote"],  # noqa: S607 - git from PATH, as a developer runs it
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        check=False,
    )

    assert "heroku" not in remotes.stdout.split()
