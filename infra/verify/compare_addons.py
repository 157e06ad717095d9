"""Comparison of an app's add-ons and attachments (pure, like `compare`).

Only add-ons the app owns (billing app = this app) are the app's add-ons; the default
attachment Heroku gives each one is platform-managed. Attachments of other apps' add-ons
are declared nowhere in the spec, so each is unmanaged.
"""

from __future__ import annotations

from infra.verify import remedies
from infra.verify.findings import Finding, Outcome
from infra.verify.live import FetchFailed, LiveAddon
from infra.verify.provenance import is_owned_attachment
from infra.verify.target import Target, checks


@checks("addon", "addons")
def addons(t: Target, live: tuple[LiveAddon, ...]) -> list[Finding]:
    find = t.finder("addon")
    e = t.expected
    owned = {a.name: a for a in live if a.owner_app in (None, e.name)}
    attachments = t.live.attachments
    out: list[Finding] = []
    for want in e.addons:
        got = owned.get(want.name)
        if got is None:
            out.append(
                find(
                    (want.name,),
                    Outcome.MISSING,
                    f"add-on {want.name} ({want.plan}) does not exist",
                    expected=want.plan,
                    actual="(no such add-on)",
                )
            )
            continue
        out.append(
            find(
                (want.name,),
                Outcome.PASS,
                f"add-on {want.name} exists (id {got.id})",
                expected=want.name,
                actual=got.name,
            )
        )
        out.append(t.judged("addon", (want.name, "plan"), f"plan is {got.plan}", want.plan, got.plan))
        out.append(_addon_state(t, want.name, got.state))
        if want.attachment:
            out.append(_attachment_of(t, want.name, want.attachment, got.id, attachments))
    for name in sorted(set(owned) - {a.name for a in e.addons}):
        got = owned[name]
        out.append(
            find(
                (name,),
                Outcome.UNMANAGED,
                f"add-on {name} ({got.plan}) exists on Heroku but is declared nowhere in {t.stack_file}",
                expected="(not declared)",
                actual=got.plan,
                remedy=remedies.unmanaged_addon(
                    t.project, t.stack, e.key, e.name, name, got.plan.split(":", 1)[0], got.id
                ),
            )
        )
    return out


def _addon_state(t: Target, name: str, state: str) -> Finding:
    find = t.finder("addon")
    if state == "provisioned":
        return find((name, "state"), Outcome.PASS, "provisioned", expected="provisioned", actual=state)
    if state == "provisioning":
        return find((name, "state"), Outcome.PENDING, "still provisioning", expected="provisioned", actual=state)
    return find(
        (name, "state"),
        Outcome.CHANGED,
        f"state is {state or 'unknown'}, expected provisioned",
        expected="provisioned",
        actual=state or "(unknown)",
    )


def _attachment_of(t: Target, addon: str, name: str, addon_id: str, attachments: object) -> Finding:
    find = t.finder("addon")
    if isinstance(attachments, FetchFailed):
        return Finding(
            check_id=f"{t.expected.key}/addon/{addon}/attachment",
            app=t.expected.key,
            kind="addon",
            outcome=Outcome.ERROR,
            summary=f"could not check: {attachments.reason}",
        )
    names = sorted(a.name for a in attachments if a.addon_id == addon_id) if isinstance(attachments, tuple) else []
    actual = ", ".join(names) or "(none)"
    if name in names:
        return find((addon, "attachment"), Outcome.PASS, f"attached as {name}", expected=name, actual=actual)
    return find(
        (addon, "attachment"),
        Outcome.MISSING,
        f"no attachment named {name} (attached as {actual})",
        expected=name,
        actual=actual,
    )


def attachments(t: Target) -> list[Finding]:
    """Attachments of other apps' add-ons to this app; the spec declares none, so each is unmanaged."""
    live = t.live.attachments
    if not isinstance(live, tuple):
        return []  # a failed read shows up in the add-on and config checks that needed it
    e = t.expected
    out: list[Finding] = []
    for att in sorted(live, key=lambda a: a.name):
        if is_owned_attachment(e.name, att):
            continue
        out.append(
            t.finding(
                "attachment",
                (att.name,),
                Outcome.UNMANAGED,
                f"attachment {att.name} of add-on {att.addon_name} (owned by {att.addon_app}) is declared nowhere "
                f"in {t.stack_file}",
                expected="(not declared)",
                actual=f"{att.addon_name} as {att.name}",
                remedy=remedies.unmanaged_attachment(t.project, t.stack, e.key, e.name, att.name, att.id),
            )
        )
    return out
