"""Comparison, pure: expected state and live state in, findings out.

Each collection the snapshot holds is compared on its own; a collection that could not be
read turns every check that needed it into an `error` (never into `missing` or `changed`,
so an API hiccup is never reported as drift), and one that was out of scope is skipped.
Secret values are compared by fingerprint only, and no secret value is ever handed to a
finding: the live snapshot does not hold one to hand.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.spec.manifest import config_var_scope
from infra.spec.secret import fingerprint
from infra.verify import compare_addons, compare_resources, remedies
from infra.verify.checkids import check_id
from infra.verify.findings import Finding, Outcome
from infra.verify.live import FetchFailed, LiveAppInfo, LiveCoupling, LiveRelease, LiveValue
from infra.verify.provenance import AddonProvenance, addon_provenance
from infra.verify.target import Target, checks, error_finding

HIDDEN = "(hidden: the live value embeds credentials)"


def compare_app(t: Target) -> list[Finding]:
    """Every finding for one app, for the collections its snapshot holds."""
    info = t.live.info
    if info is None:
        count = len(t.expected.declared_checks())
        return [
            t.finding(
                "app",
                (),
                Outcome.MISSING,
                f"app {t.expected.name} does not exist on Heroku, so its {count - 1} other checks cannot run",
                expected=t.expected.name,
                actual="(no such app)",
            )
        ]
    if isinstance(info, FetchFailed):
        return [error_finding(t.expected.key, ident, info.reason) for ident in t.expected.declared_checks()]
    findings = _app(t, info)
    for check in (
        _config,
        compare_addons.addons,
        compare_addons.attachments,
        compare_resources.buildpacks,
        compare_resources.domains,
        compare_resources.formation,
        compare_resources.drains,
        compare_resources.features,
        _pipeline,
        _release,
        compare_resources.procfile,
        compare_resources.access,
    ):
        findings += check(t)
    return findings


def _app(t: Target, info: LiveAppInfo) -> list[Finding]:
    find = t.finder("app")
    e = t.expected
    out = [find((), Outcome.PASS, f"app {e.name} exists (id {info.id})", expected=e.name, actual=info.name)]
    for attr, want, got, remedy in (
        ("region", e.region, info.region, (remedies.replace_app(t.stack, "region"),)),
        ("stack", e.stack, info.stack, (remedies.restore(t.stack),)),
        ("acm", _onoff(e.acm), _onoff(info.acm), (remedies.restore(t.stack),)),
        ("maintenance", _onoff(e.maintenance), _onoff(info.maintenance), remedies.maintenance(e.name, e.maintenance)),
    ):
        out.append(t.judged("app", (attr,), f"{attr} is {got}", want, got, remedy=remedy))
    return out


def _onoff(flag: bool) -> str:
    return "on" if flag else "off"


@checks("config", "config")
def _config(t: Target, live: Mapping[str, LiveValue]) -> list[Finding]:
    e = t.expected
    provenance = _provenance(t)
    out: list[Finding] = []
    for name, value in e.config.items():
        out.append(_plain_var(t, name, value, live.get(name)))
    for secret in e.secrets:
        out.append(_secret_var(t, secret.name, secret.fingerprint, live.get(secret.name)))
    for var, addon in e.provided_vars.items():
        out.append(_provided_var(t, var, addon.name, live.get(var), provenance))
    declared = {*e.config, *(s.name for s in e.secrets), *e.provided_vars}
    for var in sorted(set(live) - declared):
        out.append(_undeclared_var(t, var, provenance))
    return out


def _provenance(t: Target) -> AddonProvenance | FetchFailed:
    addons, attachments = t.live.addons, t.live.attachments
    for collection in (addons, attachments):
        if isinstance(collection, FetchFailed):
            return collection
    return addon_provenance(
        t.expected.name,
        addons if isinstance(addons, tuple) else (),
        attachments if isinstance(attachments, tuple) else (),
    )


def _plain_var(t: Target, name: str, value: str, live: LiveValue | None) -> Finding:
    find = t.finder("config")
    if live is None:
        return find((name,), Outcome.MISSING, f"{name} is not set", expected=value, actual="(not set)")
    if live.fingerprint == fingerprint(
        value, scope=config_var_scope(t.expected.name, name), key=t.expected.fingerprint_key
    ):
        return find((name,), Outcome.PASS, f"{name} is {value}", expected=value, actual=value)
    shown = live.shown if live.shown is not None else HIDDEN
    return find((name,), Outcome.CHANGED, f"{name} is {shown}, expected {value}", expected=value, actual=shown)


def _secret_var(t: Target, name: str, expected_fp: str | None, live: LiveValue | None) -> Finding:
    find = t.finder("config", (name,), sensitive=True)
    if live is None:
        return find(Outcome.MISSING, f"secret {name} is not set", expected="(secret)", actual="(not set)")
    if expected_fp is None:
        return find(
            Outcome.PASS,
            f"secret {name} is set (value not compared: without --manifest only presence is checked)",
            expected="(secret: present)",
            actual="(secret: present)",
        )
    if live.fingerprint == expected_fp:
        return find(
            Outcome.PASS,
            f"secret {name} matches the value `pulumi up` set (by fingerprint)",
            expected="(secret)",
            actual="(secret: same fingerprint)",
        )
    return find(
        Outcome.CHANGED,
        f"secret {name} differs from the value `pulumi up` set (compared by fingerprint; values are never shown)",
        expected="(secret)",
        actual="(secret: different fingerprint)",
    )


def _provided_var(
    t: Target, var: str, addon_name: str, live: LiveValue | None, provenance: AddonProvenance | FetchFailed
) -> Finding:
    find = t.finder("config", (var,), sensitive=True)
    if isinstance(provenance, FetchFailed):
        return error_finding(t.expected.key, check_id(t.expected.key, "config", var), provenance.reason)
    if live is not None:
        owner = provenance.owner(var) or f"add-on {addon_name}"
        return find(
            Outcome.PASS,
            f"{var} is set by {owner}",
            expected="(set by the add-on)",
            actual="(set)",
            sensitive=True,
            platform_managed=owner,
        )
    addons = t.live.addons if isinstance(t.live.addons, tuple) else ()
    addon = next((a for a in addons if a.name == addon_name), None)
    if addon is not None and addon.state == "provisioning":
        return find(
            Outcome.PENDING,
            f"{var} is not set yet: add-on {addon_name} is still provisioning",
            expected="(set by the add-on)",
            actual="(not set)",
        )
    why = "does not exist" if addon is None else f"is {addon.state or 'in an unknown state'} and did not set it"
    return find(
        Outcome.MISSING,
        f"{var} is not set: add-on {addon_name} {why}",
        expected="(set by the add-on)",
        actual="(not set)",
    )


def _undeclared_var(t: Target, var: str, provenance: AddonProvenance | FetchFailed) -> Finding:
    find = t.finder("config", (var,), sensitive=True)
    if isinstance(provenance, FetchFailed):
        return error_finding(
            t.expected.key,
            check_id(t.expected.key, "config", var),
            f"cannot tell whether an add-on set {var}: {provenance.reason}",
        )
    owner = provenance.owner(var)
    if owner is not None:
        return find(
            Outcome.PASS,
            f"{var} is set by {owner}",
            actual="(set)",
            sensitive=True,
            platform_managed=owner,
        )
    return find(
        Outcome.UNMANAGED,
        f"{var} is set on Heroku but declared nowhere in {t.stack_file}",
        expected="(not declared)",
        actual="(set; value not shown)",
        sensitive=True,
        remedy=remedies.unmanaged_config(t.stack, t.expected.key, t.expected.name, var),
    )


@checks("pipeline", "coupling")
def _pipeline(t: Target, coupling: tuple[LiveCoupling, ...]) -> list[Finding]:
    find = t.finder("pipeline")
    pipeline = t.pipeline
    if pipeline is None:
        return []
    if isinstance(pipeline.id, FetchFailed):
        return t.errors("pipeline", pipeline.id)
    e = t.expected
    want = f"{e.pipeline} ({e.stage})"
    if not coupling:
        return [find((), Outcome.MISSING, f"{e.name} is in no pipeline", expected=want, actual="(none)")]
    live = coupling[0]
    if not pipeline.found or live.pipeline_id != pipeline.id:
        where = "which does not exist" if not pipeline.found else f"whose id is {pipeline.id}"
        return [
            find(
                (),
                Outcome.CHANGED,
                f"{e.name} is coupled to pipeline id {live.pipeline_id}, not to {e.pipeline} ({where})",
                expected=want,
                actual=f"pipeline id {live.pipeline_id} ({live.stage})",
            )
        ]
    got = f"{e.pipeline} ({live.stage})"
    if live.stage != e.stage:
        return [
            find(
                (),
                Outcome.CHANGED,
                f"{e.name} is at stage {live.stage} of {e.pipeline}, expected {e.stage}",
                expected=want,
                actual=got,
            )
        ]
    return [find((), Outcome.PASS, f"{e.name} is at stage {e.stage} of {e.pipeline}", expected=want, actual=got)]


@checks("release", "releases")
def _release(t: Target, releases: tuple[LiveRelease, ...]) -> list[Finding]:
    find = t.finder("release")
    if not releases:
        return [find((), Outcome.MISSING, "the app has no release", expected="succeeded")]
    newest = releases[0]
    label = f"v{newest.version}"
    said = f"{label} {newest.status}: {newest.description}"
    if newest.status == "succeeded":
        return [find((), Outcome.PASS, said, expected="succeeded", actual=said)]
    if newest.status == "pending":
        return [
            find(
                (),
                Outcome.PENDING,
                f"{label} is still pending (release phase running)",
                expected="succeeded",
                actual=said,
            )
        ]
    return [
        find(
            (),
            Outcome.CHANGED,
            f"the latest release {said}",
            expected="succeeded",
            actual=said,
            remedy=(
                f"read why: `heroku releases:output {label} -a {t.expected.name}`"
                + (f" (or {newest.output_stream_url})" if newest.output_stream_url else "")
                + f"; fix it and deploy again (`pulumi up --stack {t.stack}` rebuilds in staging; production moves "
                "by promotion)",
            ),
        )
    ]
