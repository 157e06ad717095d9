"""Loading a stack's spec, from its file (no engine) or from the Pulumi engine's config.

Both roads end in the same `StackSpec.model_validate`; the only difference is that the
engine hands over decrypted secrets while the file holds `secure:` ciphertext. Every
pydantic or YAML failure leaves this module as one `SpecError` naming the file, the
stack and the key path, and never echoing a value that could be a credential.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from infra.errors import SpecError, SpecIssue
from infra.spec.catalog import Catalog
from infra.spec.models import StackSpec
from infra.spec.passphrase import Crypter
from infra.spec.secret import Secret
from infra.spec.yaml_source import read_yaml

PROJECT_FILE = "Pulumi.yaml"
CATALOG_FILE = "catalog.yaml"
STACK_KEYS = (
    "stage",
    "pipeline",
    "pipeline_owner",
    "pipeline_lookup",
    "pipeline_stack",
    "addon_create_timeout_minutes",
    "fingerprint_key",
    "team",
    "apps",
)
INTEGER_KEYS = frozenset({"addon_create_timeout_minutes"})
# Keys whose value is a YAML mapping: the engine hands them over as JSON text (`Config.get_object`).
OBJECT_KEYS = frozenset({"apps", "team"})
# Keys Pulumi itself writes at the top of a stack file.
PULUMI_STACK_FILE_KEYS = {"config", "secretsprovider", "encryptionsalt", "encryptedkey", "environment"}


# Pulumi's rule for a stack name: letters, digits, '-', '_' and '.', at most 100 characters.
_STACK_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def check_stack_name(stack: str) -> str:
    """`stack` if it is a plain Pulumi stack name (never a path); SpecError otherwise."""
    if not _STACK_NAME_RE.match(stack) or stack in (".", ".."):
        shown = stack if len(stack) <= 40 else stack[:40] + "..."
        raise SpecError(
            "the stack name",
            None,
            [
                SpecIssue(
                    "",
                    f"must be a Pulumi stack name: 1-100 letters, digits, '-', '_' or '.' (got {shown!r}, "
                    f"{len(stack)} characters)",
                )
            ],
        )
    return stack


def stack_file(project_dir: Path, stack: str) -> Path:
    return project_dir / f"Pulumi.{check_stack_name(stack)}.yaml"


def available_stacks(project_dir: Path) -> list[str]:
    """Stacks that have a `Pulumi.<stack>.yaml` in the project directory."""
    names = (p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
    return sorted(n for n in names if n)


def project_name(project_dir: Path) -> str:
    project = read_yaml(project_dir / PROJECT_FILE)
    name = project.get("name") if isinstance(project, dict) else None
    if not isinstance(name, str) or not name:
        raise SpecError(PROJECT_FILE, None, [SpecIssue("name", "is required: the Pulumi project name")])
    return name


def project_defaults(project_dir: Path) -> dict[str, Any]:
    """Defaults declared in Pulumi.yaml's `config:` section for the project's own keys."""
    project = read_yaml(project_dir / PROJECT_FILE)
    section = project.get("config") if isinstance(project, dict) else None
    defaults: dict[str, Any] = {}
    for key, decl in (section or {}).items():
        short = str(key).split(":", 1)[-1]
        if isinstance(decl, dict) and "default" in decl:
            defaults[short] = decl["default"]
    return defaults


def load_catalog(project_dir: Path) -> Catalog:
    """The project's config-var catalog; an empty one when `catalog.yaml` is absent."""
    path = project_dir / CATALOG_FILE
    if not path.exists():
        return Catalog()
    raw = read_yaml(path)
    try:
        return Catalog.model_validate(raw if raw is not None else {})
    except ValidationError as err:
        raise SpecError(CATALOG_FILE, None, issues_from(err)) from None


def load_stack(stack: str, project_dir: Path, *, passphrase: Secret | None = None) -> StackSpec:
    """The spec of `stack` from `Pulumi.<stack>.yaml`, without the Pulumi engine.

    Secrets stay encrypted, unless `passphrase` is given and the stack uses Pulumi's passphrase
    secrets provider: then each `secure:` value is decrypted as Pulumi would (`infra.spec.passphrase`).
    """
    path = stack_file(project_dir, stack)
    if not path.exists():
        known = ", ".join(available_stacks(project_dir)) or "none"
        raise SpecError(path.name, stack, [SpecIssue("", f"no such stack file in {project_dir} (stacks: {known})")])
    project = project_name(project_dir)
    document = read_yaml(path, stack=stack)
    config = _config_section(document, path.name, stack)
    raw = dict(project_defaults(project_dir))
    raw.update(_project_keys(config, project, path.name, stack))
    salt = document.get("encryptionsalt") if isinstance(document, dict) else None
    if passphrase is not None and isinstance(salt, str):
        crypter = Crypter.for_stack(salt, passphrase, source=path.name, stack=stack)
        raw = {key: _decrypted(value, crypter, path.name, stack, key) for key, value in raw.items()}
    return _validate(raw, project=project, stack=stack, source=path.name, project_dir=project_dir, decrypted=False)


def _decrypted(value: Any, crypter: Crypter, source: str, stack: str, path: str) -> Any:
    """`value` with each `{"secure": ...}` leaf replaced by its decrypted `Secret` (never a plain string)."""
    if isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str):
        return crypter.decrypt(value["secure"], source=source, stack=stack, path=path)
    if isinstance(value, dict):
        return {k: _decrypted(v, crypter, source, stack, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_decrypted(v, crypter, source, stack, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def load_from_engine(project_dir: Path) -> StackSpec:
    """The spec of the stack the Pulumi engine is running, with secrets decrypted.

    When the stack file is present (and imports no ESC environment that could supply
    keys), it is validated too, so a secret written as plain text in the file is refused
    even though the engine would hand it over decrypted either way.
    """
    import pulumi

    stack = pulumi.get_stack()
    project = pulumi.get_project()
    path = stack_file(project_dir, stack)
    if path.exists():
        document = read_yaml(path, stack=stack)
        if not (isinstance(document, dict) and document.get("environment")):
            load_stack(stack, project_dir)
    config = pulumi.Config()
    raw: dict[str, Any] = {}
    for key in STACK_KEYS:
        value = config.get_object(key) if key in OBJECT_KEYS else config.get(key)
        if key in INTEGER_KEYS and value is not None:
            value = _integer(value)
        if value is not None:
            raw[key] = value
    return _validate(raw, project=project, stack=stack, source=path.name, project_dir=project_dir, decrypted=True)


def _integer(value: str) -> Any:
    """The engine hands over every top-level config value as a string (`"60"` for 60)."""
    return int(value) if value.isdigit() else value


def _validate(
    raw: dict[str, Any], *, project: str, stack: str, source: str, project_dir: Path, decrypted: bool
) -> StackSpec:
    catalog = load_catalog(project_dir)
    data = {**raw, "project": project, "stack": stack, "catalog": catalog}
    owner_stage = raw.get("pipeline_owner", "staging")
    if raw.get("stage") != owner_stage and raw.get("pipeline_lookup", "stack-reference") == "stack-reference":
        data.setdefault("pipeline_stack", _owner_stack(project_dir, project, owner_stage, source, stack))
    try:
        return StackSpec.model_validate(data, context={"secrets_decrypted": decrypted})
    except ValidationError as err:
        raise SpecError(source, stack, issues_from(err)) from None


def _owner_stack(project_dir: Path, project: str, owner_stage: object, source: str, stack: str) -> str:
    """The stack a StackReference reads the pipeline from: the one whose file declares the pipeline owner's stage,
    else (no such file here) the stack named like that stage, the usual convention."""
    owners = []
    for name in available_stacks(project_dir):
        document = read_yaml(stack_file(project_dir, name), stack=name)
        config = document.get("config") if isinstance(document, dict) else None
        if isinstance(config, dict) and config.get(f"{project}:stage") == owner_stage:
            owners.append(name)
    if len(owners) <= 1:
        return owners[0] if owners else str(owner_stage)
    raise SpecError(
        source,
        stack,
        [
            SpecIssue(
                f"{project}:pipeline_stack",
                f"stacks {', '.join(owners)} all have stage {owner_stage!r} (the pipeline_owner): set "
                f"{project}:pipeline_stack to the one that creates the pipeline, or {project}:pipeline_lookup "
                "to 'name'",
            )
        ],
    )


def _config_section(document: Any, source: str, stack: str) -> Mapping[str, Any]:
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise SpecError(source, stack, [SpecIssue("", "must be a YAML mapping with a `config:` section")])
    unknown = sorted(str(k) for k in document if k not in PULUMI_STACK_FILE_KEYS)
    if unknown:
        allowed = ", ".join(sorted(PULUMI_STACK_FILE_KEYS))
        raise SpecError(source, stack, [SpecIssue(unknown[0], f"unknown top-level key (allowed: {allowed})")])
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise SpecError(source, stack, [SpecIssue("config", "must be a mapping of `namespace:key` to values")])
    return config


def _project_keys(config: Mapping[str, Any], project: str, source: str, stack: str) -> dict[str, Any]:
    """The project's own keys (`<project>:<key>`), with unknown or unqualified ones refused."""
    found: dict[str, Any] = {}
    issues: list[SpecIssue] = []
    for full_key, value in config.items():
        key = str(full_key)
        if ":" not in key:
            issues.append(SpecIssue(key, f"config keys are namespaced; did you mean '{project}:{key}'?"))
            continue
        namespace, name = key.split(":", 1)
        if namespace != project:
            continue  # provider keys such as heroku:url belong to the provider
        if name not in STACK_KEYS:
            close = difflib.get_close_matches(name, STACK_KEYS, n=1)
            hint = f"; did you mean '{project}:{close[0]}'?" if close else ""
            issues.append(SpecIssue(key, f"unknown key{hint} (allowed: {', '.join(STACK_KEYS)})"))
            continue
        found[name] = value
    if issues:
        raise SpecError(source, stack, issues)
    return found


# --- pydantic errors -> issues ----------------------------------------------------------------

_SENSITIVE_SECTIONS = {"config", "secrets", "secret_url"}
_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
}


def issues_from(err: ValidationError) -> list[SpecIssue]:
    """One readable issue per pydantic error, deduplicated, in the order pydantic found them."""
    issues: list[SpecIssue] = []
    for detail in err.errors():
        issue = _issue(detail)
        if issue not in issues:
            issues.append(issue)
    return issues


def _issue(detail: ErrorDetails) -> SpecIssue:
    ctx = detail.get("ctx") or {}
    loc = [*detail["loc"], *ctx.get("loc", ())]
    key_error = bool(loc) and loc[-1] == "[key]"
    if key_error:
        loc = loc[:-1]
    path = render_path(loc)
    sensitive = any(part in _SENSITIVE_SECTIONS for part in loc)
    message = _message(detail, path, show_input=not sensitive)
    return SpecIssue(path, f"invalid key: {message}" if key_error else message)


def render_path(loc: list[Any] | tuple[Any, ...]) -> str:
    """A pydantic location as a `pulumi config set --path` path: apps.web.addons[1].plan."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.startswith("[") and part.endswith("]"):
            out += part
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(detail: ErrorDetails, path: str, *, show_input: bool) -> str:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    got = _got(detail.get("input"), show_input)
    if kind == "missing":
        return "is required"
    if kind == "spec_rule":
        return str(ctx["message"])
    if kind == "not_a_secret":
        return (
            "must be a Pulumi secret (a `secure:` entry), not plain text; "
            f"set it with `pulumi config set --secret --path '{path}' <value>`"
        )
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}{got}"
    if kind == "greater_than":
        return f"must be greater than {ctx['gt']}{got}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}{got}"
    if kind == "literal_error":
        return f"must be {ctx['expected']}{got}"
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]} (got {_type_of(detail.get('input'))})"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx['pattern']}{got}"
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    return str(detail["msg"])


def _got(value: Any, show: bool) -> str:
    if not show or isinstance(value, (dict, list)) or value is None:
        return ""
    text = repr(value)
    return f" (got {text if len(text) <= 60 else text[:57] + '...'})"


def _type_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
