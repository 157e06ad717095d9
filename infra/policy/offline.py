"""The policy pack run against the offline plan, as `pulumi preview --policy-pack policy/` would run it.

`evaluate(plan, config)` hands each planned resource to every resource policy and the whole plan
to every stack policy, with the same arguments the Pulumi engine builds: the type token, the
camelCase inputs the program registered (an output of another resource shows as its
placeholder, like an unknown during preview), the URN (``urn:pulumi:<stack>::<project>::
<parent type>$<type>::<name>``), and the options, `protect` included.

Policy config is Pulumi's `--policy-pack-config` format, read from the project's
`policy.<stack>.json` when it exists: ``{"<policy>": "advisory" | "mandatory" | "disabled"}`` or
``{"<policy>": {"enforcementLevel": ..., "<property>": ...}}``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from infra.errors import SpecError, SpecIssue
from infra.plan.model import Plan, PlannedResource
from infra.policy.rules import POLICIES

LEVELS = {level.value: level for level in EnforcementLevel if level.value != "remediate"}


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str  # advisory | mandatory
    resource: str  # the resource's logical name ("" for a stack-wide finding)
    message: str


@dataclass(frozen=True)
class PolicySettings:
    level: EnforcementLevel
    properties: Mapping[str, Any]


def config_file(project_dir: Path, stack: str) -> Path:
    return project_dir / f"policy.{stack}.json"


def load_config(project_dir: Path, stack: str) -> dict[str, PolicySettings]:
    """Each policy's level and properties for `stack`: defaults, then `policy.<stack>.json` if present."""
    settings = {p.name: PolicySettings(p.enforcement_level or EnforcementLevel.ADVISORY, {}) for p in POLICIES}
    path = config_file(project_dir, stack)
    if not path.exists():
        return settings
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SpecError(path.name, stack, [SpecIssue("", f"is not readable JSON ({err})")]) from None
    if not isinstance(raw, dict):
        raise SpecError(path.name, stack, [SpecIssue("", "must be a JSON object: policy name -> level or settings")])
    issues: list[SpecIssue] = []
    for name, value in raw.items():
        if name not in settings:
            issues.append(SpecIssue(name, f"is not a policy of this pack (policies: {', '.join(settings)})"))
            continue
        level_text, properties = (value, {}) if isinstance(value, str) else (None, value)
        if isinstance(properties, dict):
            level_text = properties.get("enforcementLevel", level_text)
            properties = {k: v for k, v in properties.items() if k != "enforcementLevel"}
        else:
            issues.append(SpecIssue(name, "must be a level or an object of settings"))
            continue
        level = settings[name].level if level_text is None else LEVELS.get(str(level_text))
        if level is None:
            issues.append(SpecIssue(name, f"enforcementLevel must be one of {', '.join(LEVELS)} (got {level_text!r})"))
            continue
        settings[name] = PolicySettings(level, properties)
    if issues:
        raise SpecError(path.name, stack, issues)
    return settings


def _urn(plan: Plan, resource: PlannedResource, parent: PlannedResource | None) -> str:
    chain = f"{parent.type}${resource.type}" if parent is not None else resource.type
    return f"urn:pulumi:{plan.stack}::{plan.project}::{chain}::{resource.logical_name}"


def _components(plan: Plan) -> dict[str, PlannedResource]:
    return {r.logical_name: r for r in plan.resources if r.kind == "HerokuApp"}


def policy_resources(plan: Plan) -> list[tuple[PlannedResource, PolicyResource]]:
    """Every planned resource as the engine hands it to policies (the provider and components included)."""
    components = _components(plan)
    urns: dict[str, str] = {}
    built: list[tuple[PlannedResource, PolicyResource]] = []
    for resource in plan.resources:
        parent = components.get(resource.app or "") if resource.kind != "HerokuApp" else None
        urn = _urn(plan, resource, parent)
        urns[resource.logical_name] = urn
        opts = PolicyResourceOptions(
            protect=resource.protect,
            ignore_changes=list(resource.ignore_changes),
            delete_before_replace=resource.delete_before_replace,
            aliases=[],
            custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
            additional_secret_outputs=[],
            parent=_urn(plan, parent, None) if parent is not None else None,
        )
        policy_resource = PolicyResource(
            resource_type=resource.type,
            props=dict(resource.inputs),
            urn=urn,
            name=resource.logical_name,
            opts=opts,
            provider=None,
            parent=None,
            dependencies=[],
            property_dependencies={},
        )
        built.append((resource, policy_resource))
    by_urn = {p.urn: p for _, p in built}
    for _, policy_resource in built:
        parent_urn = policy_resource.opts.parent
        policy_resource.parent = by_urn.get(parent_urn) if parent_urn else None
    return built


def evaluate(plan: Plan, settings: Mapping[str, PolicySettings]) -> list[Violation]:
    """Every violation of the pack on `plan`, in policy order; disabled policies are skipped."""
    resources = policy_resources(plan)
    names = {p.urn: r.logical_name for r, p in resources}
    found: list[Violation] = []
    for policy in POLICIES:
        setting = settings[policy.name]
        if setting.level == EnforcementLevel.DISABLED:
            continue
        if isinstance(policy, ResourceValidationPolicy):
            for planned, resource in resources:
                args = ResourceValidationArgs(
                    resource.resource_type,
                    resource.props,
                    resource.urn,
                    resource.name,
                    resource.opts,
                    None,
                    config=setting.properties,
                )
                # A resource policy's violations belong to the resource it was given, whatever urn it names.
                _run(policy.validate(args, _Reporter(found, policy.name, setting.level, {}, planned.logical_name)))
        elif isinstance(policy, StackValidationPolicy):
            stack_args = StackValidationArgs([p for _, p in resources], config=setting.properties)
            _run(policy.validate(stack_args, _Reporter(found, policy.name, setting.level, names, "")))
    return found


@dataclass(frozen=True)
class _Reporter:
    """A policy's ReportViolation: appends to `found`, naming the resource by its logical name."""

    found: list[Violation]
    policy: str
    level: EnforcementLevel
    names: Mapping[str, str]  # URN -> logical name
    default: str

    def __call__(self, message: str, urn: str | None = None) -> None:
        where = self.names.get(urn, self.default) if urn else self.default
        self.found.append(Violation(self.policy, self.level.value, where, message))


def _run(result: Any) -> None:
    if result is not None and inspect.isawaitable(result):
        asyncio.run(_await(result))


async def _await(result: Any) -> None:
    await result


def render_violations(violations: list[Violation]) -> str:
    """The plan's policy section: one line per violation, mandatory first."""
    if not violations:
        return f"Policies: {len(POLICIES)} checked, no violation.\n"
    ordered = sorted(violations, key=lambda v: v.level != "mandatory")
    lines = [f"Policies: {len(violations)} violation(s)"]
    lines += [f"  {v.level.upper():<9} {v.policy}: {v.message}" for v in ordered]
    return "\n".join(lines) + "\n"
