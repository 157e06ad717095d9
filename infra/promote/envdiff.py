"""Staging against production on everything that is not code, judged by the promotion policy.

A pipeline promotion copies only the slug: config, add-ons, buildpacks, stack image,
formation and features stay per app, and Heroku's own `pipelines:diff` compares commits
only. This module compares the two environments' `AppFacts` (pure, no I/O) and says, for
every difference, whether the policy allows it and, if not, why it blocks.

EnvDifference paths (the policy's vocabulary)::

    <app>                              the app is declared in one stack only (always blocks)
    <app>/region | stack | acm | buildpacks
    <app>/config/<VAR>                 set on one side only; or a must_match / must_differ value rule broken
    <app>/addons/<service>             on one side only (its config vars are not reported again)
    <app>/addons/<service>/plan
    <app>/formation/<type>             process type on one side only
    <app>/formation/<type>/quantity | size
    <app>/features/<name>              enabled on one side only
    <app>/domains/<hostname>           custom domain on one side only
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from infra.promote.facts import AppFacts
from infra.promote.promotion_policy import LoadedPolicy, Rule, ValueRule
from infra.spec.models import StackSpec


@dataclass(frozen=True)
class EnvDifference:
    """One way the environments differ, with the rule that allows it or the value rule it breaks."""

    path: str
    source: str
    target: str
    note: str = ""
    allowed_by: Rule | None = None
    violates: ValueRule | None = None

    @property
    def blocks(self) -> bool:
        return self.violates is not None or self.allowed_by is None


@dataclass(frozen=True)
class EnvDiff:
    """Every difference between the environments, and the policy entries that matched nothing."""

    source_stack: str
    target_stack: str
    differences: tuple[EnvDifference, ...]
    unused_rules: tuple[Rule, ...]
    policy_label: str
    policy_file: str | None = None  # None: the project has no promotion.yaml, so nothing may differ

    @property
    def blocking(self) -> tuple[EnvDifference, ...]:
        return tuple(d for d in self.differences if d.blocks)

    @property
    def allowed(self) -> tuple[EnvDifference, ...]:
        return tuple(d for d in self.differences if not d.blocks)


def diff_environments(
    source: Mapping[str, AppFacts],
    target: Mapping[str, AppFacts],
    *,
    policy: LoadedPolicy,
    source_spec: StackSpec,
    target_spec: StackSpec,
) -> EnvDiff:
    """Compare the facts of the source (staging) and target (production) apps, paired by app key.

    The specs name the stacks and explain where a config var comes from (declared in which
    stack, or by hand); the facts say what actually runs.
    """
    raw: list[tuple[str, str, str, str]] = []
    s_name, t_name = source_spec.stack, target_spec.stack
    for key in sorted(set(source_spec.apps) | set(target_spec.apps)):
        if key not in source_spec.apps or key not in target_spec.apps:
            only = s_name if key in source_spec.apps else t_name
            sides = ("declared", "absent") if key in source_spec.apps else ("absent", "declared")
            raw.append((key, *sides, f"app {key!r} is declared in the {only} stack only; apps pair by app key"))
        elif key in source and key in target:
            raw.extend(_app_differences(key, source[key], target[key], source_spec, target_spec))
    rules = policy.policy
    used: set[int] = set()
    differences: list[EnvDifference] = []
    for path, s_val, t_val, note in raw:
        allow = rules.allowing(path)
        if allow is not None:
            used.add(id(allow))
        differences.append(EnvDifference(path, s_val, t_val, note, allowed_by=allow))
    for key in sorted(set(source) & set(target)):
        differences.extend(_value_rule_breaks(key, source[key], target[key], rules.must_match, rules.must_differ, used))
    unused = tuple(r for r in (*rules.may_differ, *rules.must_match, *rules.must_differ) if id(r) not in used)
    policy_file = None if policy.source is None else policy.source.name
    return EnvDiff(s_name, t_name, tuple(differences), unused, policy.label, policy_file)


def _app_differences(
    key: str, s: AppFacts, t: AppFacts, s_spec: StackSpec, t_spec: StackSpec
) -> Iterator[tuple[str, str, str, str]]:
    for aspect, s_val, t_val in (
        ("region", s.region, t.region),
        ("stack", s.stack, t.stack),
        ("acm", "on" if s.acm else "off", "on" if t.acm else "off"),
        ("buildpacks", ", ".join(s.buildpacks) or "none", ", ".join(t.buildpacks) or "none"),
    ):
        if s_val != t_val:
            yield f"{key}/{aspect}", s_val, t_val, ""
    yield from _config_differences(key, s, t, s_spec, t_spec)
    for service in sorted(set(s.addons) | set(t.addons)):
        s_addon, t_addon = s.addons.get(service), t.addons.get(service)
        if s_addon is None or t_addon is None:
            present = s_addon or t_addon
            assert present is not None
            brings = f"; it sets {', '.join(present.config_vars)}" if present.config_vars else ""
            yield (
                f"{key}/addons/{service}",
                s_addon.plan if s_addon else "absent",
                t_addon.plan if t_addon else "absent",
                f"add-on on one side only{brings}",
            )
        elif s_addon.plan != t_addon.plan:
            yield f"{key}/addons/{service}/plan", s_addon.plan, t_addon.plan, ""
    for ptype in sorted(set(s.formation) | set(t.formation)):
        s_proc, t_proc = s.formation.get(ptype), t.formation.get(ptype)
        if s_proc is None or t_proc is None:
            yield (
                f"{key}/formation/{ptype}",
                f"{s_proc.quantity} x {s_proc.size}" if s_proc else "absent",
                f"{t_proc.quantity} x {t_proc.size}" if t_proc else "absent",
                "process type on one side only",
            )
            continue
        if s_proc.quantity != t_proc.quantity:
            yield f"{key}/formation/{ptype}/quantity", str(s_proc.quantity), str(t_proc.quantity), ""
        if s_proc.size != t_proc.size:
            yield f"{key}/formation/{ptype}/size", s_proc.size, t_proc.size, ""
    for feature in sorted(s.features ^ t.features):
        on = "enabled", "disabled"
        yield f"{key}/features/{feature}", on[feature not in s.features], on[feature not in t.features], ""
    for host in sorted(s.domains ^ t.domains):
        yield f"{key}/domains/{host}", _presence(host in s.domains), _presence(host in t.domains), ""


def _config_differences(
    key: str, s: AppFacts, t: AppFacts, s_spec: StackSpec, t_spec: StackSpec
) -> Iterator[tuple[str, str, str, str]]:
    # A var set by an add-on that exists on one side only is explained by that add-on's difference.
    def by_lone_addon(facts: AppFacts, other: AppFacts, var: str) -> bool:
        return any(var in a.config_vars and svc not in other.addons for svc, a in facts.addons.items())

    for var in sorted(set(s.config) ^ set(t.config)):
        in_s = var in s.config
        if by_lone_addon(s, t, var) if in_s else by_lone_addon(t, s, var):
            continue
        yield (
            f"{key}/config/{var}",
            _presence(in_s, "set"),
            _presence(not in_s, "set"),
            _provenance(key, var, s_spec, t_spec),
        )


def _value_rule_breaks(
    key: str,
    s: AppFacts,
    t: AppFacts,
    must_match: tuple[ValueRule, ...],
    must_differ: tuple[ValueRule, ...],
    used: set[int],
) -> Iterator[EnvDifference]:
    for var in sorted(set(s.config) & set(t.config)):
        path = f"{key}/config/{var}"
        same = s.config[var] == t.config[var]
        for rules, broken, sides, note in (
            (must_match, not same, ("value A", "value B"), "values differ, and must match (compared by fingerprint)"),
            (
                must_differ,
                same,
                ("value A", "value A"),
                "same value in both, and must differ (compared by fingerprint)",
            ),
        ):
            rule = next((r for r in rules if r.covers(path)), None)
            if rule is None:
                continue
            used.add(id(rule))
            if broken:
                yield EnvDifference(path, *sides, note, violates=rule)


def _presence(present: bool, word: str = "present") -> str:
    return word if present else "absent"


def _provenance(key: str, var: str, s_spec: StackSpec, t_spec: StackSpec) -> str:
    declared = [
        spec.stack for spec in (s_spec, t_spec) if var in spec.config_vars(key) or var in spec.apps[key].secrets
    ]
    entry = (s_spec.catalog.for_app(key) or {}).get(var)
    if entry is not None and entry.provided_by:
        return f"set by the {entry.provided_by} add-on"
    if len(declared) == 2:
        return "declared in both stacks"
    if declared:
        return f"declared in Pulumi.{declared[0]}.yaml only"
    return "declared in neither stack (set by hand?)"
