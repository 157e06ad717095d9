"""The emulated platform's shared rules: finding apps, releases and their versions, config changes, formation.

Heroku facts relied on (research §4): every effective config-var change, add-on attach/detach
and slug release creates a release with the next `version`; exactly one release is `current`
(the newest that succeeded); process types exist in the formation only once a release whose
slug declares them is current, and the first deploy of `web` scales it to one dyno.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from infra.sandbox import events, offerings
from infra.sandbox.deploys import release_phase
from infra.sandbox.responses import not_found
from infra.sandbox.store import Record, Tx, public

if TYPE_CHECKING:
    from infra.sandbox.context import Sandbox


# The API token of the request being served (set by the conventions middleware), so that
# everything that asks "who is calling" answers without threading the request through.
CALLER_TOKEN: ContextVar[str | None] = ContextVar("CALLER_TOKEN", default=None)


def account_of(sandbox: Sandbox) -> dict[str, str]:
    """`{"id", "email"}` of the calling account: its token's (`Sandbox.accounts`), else the default account."""
    token = CALLER_TOKEN.get()
    email = sandbox.accounts.get(token or "", sandbox.config.account_email)
    return {"id": offerings.fixed_id("account", email), "email": email}


def is_uuid(value: str) -> bool:
    parts = value.split("-")
    return len(value) == 36 and [len(p) for p in parts] == [8, 4, 4, 4, 12]


def find(tx: Tx, kind: str, identity: str, parent: str | None = None, *, resource: str | None = None) -> Record:
    """A record by id or by the name Heroku accepts for it (within `parent` if given); 404 otherwise."""
    record = tx.get(kind, identity) if is_uuid(identity) else None
    if record is not None and parent is not None and tx_parent(record) != parent:
        record = None
    if record is None:
        record = tx.by_name(kind, identity, parent)
    if record is None:
        raise not_found(resource or kind, identity)
    return record


def tx_parent(record: Record) -> str | None:
    app = record.get("app")
    if isinstance(app, dict) and "id" in app:
        return str(app["id"])
    return record.get("_app_id")


def find_app(tx: Tx, identity: str) -> Record:
    return find(tx, "app", identity, resource="app")


def app_ref(app: Record) -> dict[str, str]:
    return {"id": app["id"], "name": app["name"]}


def hostname(app: Record) -> str:
    """The app's default herokuapp.com hostname (`<name>-<12 hex>.herokuapp.com`)."""
    return f"{app['name']}-{app['_hex']}.herokuapp.com"


def render_app(app: Record) -> Record:
    out = public(app)
    out["web_url"] = f"https://{hostname(app)}/"
    out["git_url"] = f"https://git.heroku.com/{app['name']}.git"
    return out


_TEAM_APP_FIELDS = (
    "archived_at",
    "buildpack_provided_description",
    "build_stack",
    "created_at",
    "git_url",
    "id",
    "internal_routing",
    "maintenance",
    "name",
    "owner",
    "region",
    "released_at",
    "repo_size",
    "slug_size",
    "space",
    "stack",
    "updated_at",
    "web_url",
)


def render_team_app(app: Record) -> Record:
    """The app in the `team-app` shape (`/teams/apps`, `/filters/apps`): the app's fields, its team, `locked`."""
    rendered = render_app(app)
    out = {field: rendered.get(field) for field in _TEAM_APP_FIELDS}
    team = app.get("team")
    out.update(team={"name": team["name"]} if team else None, joined=False, locked=bool(app.get("_locked", False)))
    return out


def embed_app(tx: Tx, record: Record, field: str = "app") -> Record:
    """`record` with its embedded `{id, name}` app reference refreshed (an app may have been renamed)."""
    ref = record.get(field)
    if isinstance(ref, dict) and "id" in ref:
        app = tx.get("app", ref["id"])
        if app is not None:
            record = {**record, field: {**ref, "name": app["name"]}}
    return record


# --- releases -----------------------------------------------------------------------------------


def addon_plan_names(tx: Tx, app_id: str) -> list[str]:
    """Plans of the add-ons attached to the app, as a release records them."""
    names: list[str] = []
    for attachment in tx.children("attachment", app_id):
        addon = tx.get("addon", attachment["addon"]["id"])
        if addon is not None and addon["plan"]["name"] not in names:
            names.append(addon["plan"]["name"])
    return names


def new_release(
    sandbox: Sandbox,
    tx: Tx,
    app: Record,
    description: str,
    *,
    slug_id: str | None = None,
    immediate: bool = False,
) -> Record:
    """Create the app's next release from its current config (and `slug_id`, or the current slug).

    It starts `pending` and succeeds after the configured release delay (at once if `immediate`);
    when the slug declares a `release` process, after its release phase, which may fail it
    (`infra.sandbox.deploys`). Saves `app` (its version counter moves).
    """
    app["_versions"] = app.get("_versions", 0) + 1
    if slug_id is None:
        current = current_release(tx, app)
        slug_id = current["slug"]["id"] if current is not None and current["slug"] else None
    release: Record = {
        "addon_plan_names": addon_plan_names(tx, app["id"]),
        "artifacts": [{"type": "slug", "id": slug_id}] if slug_id else [],
        "app": app_ref(app),
        "created_at": tx.stamp,
        "description": description,
        "id": tx.new_id(),
        "updated_at": tx.stamp,
        "slug": {"id": slug_id} if slug_id else None,
        "status": "pending",
        "user": account_of(sandbox),
        "version": app["_versions"],
        "eligible_for_rollback": True,
        "_config": dict(app["_config"]),
    }
    delay = 0.0 if immediate else sandbox.delays.release
    phase = release_phase(tx, app, slug_id)
    if phase is not None:
        release["_phase"] = phase
        release["_output_path"] = f"/__sandbox/releases/{release['id']}/output"
        delay = max(delay, phase["seconds"])
    tx.put("release", release)
    tx.put("app", app)
    events.after(sandbox, tx, delay, "release.ready", release["id"])
    return tx.get("release", release["id"]) or release


@events.on("release.ready")
def _release_succeeded(sandbox: Sandbox, tx: Tx, release_id: str) -> None:
    release = tx.get("release", release_id)
    app = tx.get("app", release["app"]["id"]) if release else None
    if release is None or app is None or release["status"] != "pending":
        return
    release["updated_at"] = tx.stamp
    if (release.get("_phase") or {}).get("outcome") == "failed":
        release["status"] = "failed"  # never current: the app keeps its previous release
        tx.put("release", release)
        return
    release["status"] = "succeeded"
    tx.put("release", release)
    if release["version"] > app.get("_current_version", 0):
        app["_current_version"] = release["version"]
        app["released_at"] = tx.stamp
        app["updated_at"] = tx.stamp
        tx.put("app", app)
        if release["slug"]:
            slug = tx.get("slug", release["slug"]["id"])
            if slug is not None:
                ensure_formation(tx, app, slug["process_types"])


def current_release(tx: Tx, app: Record) -> Record | None:
    version = app.get("_current_version")
    return None if version is None else tx.by_name("release", str(version), app["id"])


def render_release(tx: Tx, release: Record, base_url: str) -> Record:
    """The release as Heroku shows it; `output_stream_url` (release phase output) is on the sandbox at `base_url`."""
    app = tx.get("app", release["app"]["id"])
    out = public(embed_app(tx, release))
    out["current"] = app is not None and app.get("_current_version") == release["version"]
    out["output_stream_url"] = base_url + release["_output_path"] if release.get("_output_path") else None
    return out


def find_release(tx: Tx, app: Record, identity: str) -> Record:
    """A release of `app` by id or by version number."""
    return find(tx, "release", identity, app["id"], resource="release")


# --- config vars --------------------------------------------------------------------------------


def describe_config_change(set_keys: list[str], removed: list[str]) -> str:
    parts = []
    if set_keys:
        parts.append("Set " + ", ".join(set_keys))
    if removed:
        parts.append(("remove " if parts else "Remove ") + ", ".join(removed))
    return " and ".join(parts) + " config vars"


def change_config(
    sandbox: Sandbox, tx: Tx, app: Record, changes: dict[str, str | None], description: str | None = None
) -> Record | None:
    """Merge `changes` into the app's config (None deletes); a new release if anything changed, else None."""
    config: dict[str, str] = dict(app["_config"])
    set_keys = [k for k, v in changes.items() if v is not None and config.get(k) != v]
    removed = [k for k, v in changes.items() if v is None and k in config]
    if not set_keys and not removed:
        return None
    for key in set_keys:
        value = changes[key]
        assert value is not None
        config[key] = value
    for key in removed:
        del config[key]
    app["_config"] = config
    app["updated_at"] = tx.stamp
    return new_release(sandbox, tx, app, description or describe_config_change(set_keys, removed))


# --- formation ----------------------------------------------------------------------------------


def ensure_formation(tx: Tx, app: Record, process_types: dict[str, str]) -> None:
    """Give every process type of the current slug a formation entry; keep existing scale and size."""
    first_deploy = not tx.children("formation", app["id"])
    for process_type, command in process_types.items():
        existing = tx.by_name("formation", process_type, app["id"])
        if existing is not None:
            if existing["command"] != command:
                existing["command"] = command
                existing["updated_at"] = tx.stamp
                tx.put("formation", existing)
            continue
        size = offerings.DEFAULT_DYNO_SIZE
        tx.put(
            "formation",
            {
                "app": app_ref(app),
                "command": command,
                "created_at": tx.stamp,
                "dyno_size": offerings.named("dyno-size", size),
                "id": tx.new_id(),
                "quantity": 1 if first_deploy and process_type == "web" else 0,
                "size": size,
                "type": process_type,
                "updated_at": tx.stamp,
            },
        )
