"""Who changed it, and when: drift findings explained from Heroku's release log.

Heroku makes a release for every config var change and every add-on added, removed,
upgraded or downgraded (Dev Center "Releases"), recording the user and a description
such as "Set LOG_LEVEL config vars" or "Attach REDIS (@ref:redis-cubed-1234)". Domains,
formation (scaling, resizing), features, drains, buildpacks and pipeline couplings make no
release, so for those the finding says plainly that the log cannot tell. A rollback
("Rollback to v12") restores old config vars without naming them; when one is newer than
the last release naming a var, it is the likely cause and the note says "probably".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from infra.verify.findings import Attribution, Finding
from infra.verify.live import FetchFailed, LiveApp, LiveRelease

NO_RELEASE = {
    "app": "app settings (stack, ACM, maintenance) change without a release",
    "buildpacks": "buildpack changes make no release (they apply at the next build)",
    "domain": "domain changes make no release",
    "formation": "scaling and resizing make no release",
    "drain": "log drain changes make no release",
    "feature": "feature flags change without a release",
    "pipeline": "pipeline couplings change without a release",
    "health": "a health answer is not a change",
    "http": "an HTTP answer is not a change",
    "release": "this is the release itself",
    "access": "collaborator changes make no release (Heroku's API does not say who granted access; a team's "
    "audit log in the Dashboard may)",
}
_ROLLBACK = re.compile(r"^Rollback to v\d+", re.IGNORECASE)


def attribute(findings: Iterable[Finding], live: LiveApp, related: Mapping[str, str] | None = None) -> list[Finding]:
    """The findings, with an `attribution` on each drift finding.

    `related` maps a config var to the add-on that sets it (`ExpectedApp.provided_vars`), so a
    var that vanished with its add-on is traced to the release that detached the add-on.
    """
    return [replace(f, attribution=explain(f, live, related)) if f.outcome.is_drift else f for f in findings]


def explain(finding: Finding, live: LiveApp, related: Mapping[str, str] | None = None) -> Attribution:
    if live.info is None:
        return Attribution(note="the app is gone, and its release log with it")
    if finding.kind in NO_RELEASE:
        return Attribution(
            note=f"Heroku's release log cannot say who did this or when: {NO_RELEASE[finding.kind]} on Heroku"
        )
    releases = live.releases
    if finding.kind == "procfile" and (current := live.current_release()) is not None:
        return _of(current, probably=False)  # a slug's Procfile arrives with the release that runs it
    if releases is None:
        return Attribution(note="the release log was not read in this run (out of scope)")
    if isinstance(releases, FetchFailed):
        return Attribution(note=f"the release log could not be read: {releases.reason}")
    terms = _terms(finding, live)
    if finding.kind == "config" and related and terms and terms[0] in related:
        terms.append(related[terms[0]])
    return _from_log(terms, releases, allow_rollback=finding.kind == "config")


def _terms(finding: Finding, live: LiveApp) -> list[str]:
    subject = finding.check_id.split("/")[2] if finding.check_id.count("/") >= 2 else ""
    terms = [subject] if subject else []
    if finding.kind == "addon" and isinstance(live.addons, tuple):
        addon = next((a for a in live.addons if a.name == subject), None)
        if addon is not None and isinstance(live.attachments, tuple):
            terms += [a.name for a in live.attachments if a.addon_id == addon.id]
    if finding.kind == "attachment" and isinstance(live.attachments, tuple):
        terms += [a.addon_name for a in live.attachments if a.name == subject]
    return [t for t in dict.fromkeys(terms) if t]


def _mentions(description: str, terms: Sequence[str]) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", description) for t in terms)


def _from_log(terms: Sequence[str], releases: Sequence[LiveRelease], *, allow_rollback: bool) -> Attribution:
    for release in releases:  # newest first
        if _mentions(release.description, terms):
            return _of(release, probably=False)
        if allow_rollback and _ROLLBACK.match(release.description):
            return _of(release, probably=True)
    names = " or ".join(terms) or "it"
    return Attribution(note=f"none of the latest {len(releases)} releases names {names}: the change is older than them")


def _of(release: LiveRelease, *, probably: bool) -> Attribution:
    who = release.user or "an unknown user"
    when = release.created_at or "an unknown time"
    lead = "probably " if probably else ""
    return Attribution(
        note=f"{lead}v{release.version} by {who} at {when}: {release.description}",
        version=release.version,
        user=release.user,
        description=release.description,
        created_at=release.created_at,
    )
