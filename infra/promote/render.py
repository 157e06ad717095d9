"""The text a person reads: the gate's verdict, the plan a dry run prints, where production stands."""

from __future__ import annotations

import json

from infra.promote.gate import GateResult
from infra.promote.heroku_calls import promotion_body
from infra.promote.journal import AppPromotion, Journal
from infra.promote.promotion import AppState
from infra.promote.session import Timing


def gate_lines(result: GateResult, source: str, target: str) -> list[str]:
    """The verdict and its notes; a refusal's reasons are said once, by the error that ends the run."""
    blocks = sum(1 for reason in result.reasons if not reason.startswith("  "))
    verdict = (
        "passed" if result.passed else f"REFUSED ({blocks} {'reason follows' if blocks == 1 else 'reasons follow'})"
    )
    lines = [f"Pre-flight gate ({source} -> {target}): {verdict}"]
    lines.extend(f"  note   {note}" for note in result.notes)
    return lines


def plan_lines(journal: Journal, apps: list[AppPromotion], timing: Timing) -> list[str]:
    """Every step the promotion will take, with the exact write requests, in order."""
    lines = ["Steps:"]
    number = 0

    def add(text: str, *more: str) -> None:
        nonlocal number
        number += 1
        lines.append(f"  {number}. {text}")
        lines.extend(f"     {m}" for m in more)

    for app in apps:
        body = promotion_body(
            pipeline_id=journal.pipeline_id or "?",
            source_app_id=app.source_app_id,
            source_release_id=app.source_release.id,
            target_app_id=app.target_app_id,
        )
        add(
            f"POST /pipeline-promotions: {app.source_app} v{app.source_release.version} "
            f"(slug {app.source_release.slug_id}) -> {app.target_app} (now v{app.previous_release.version})",
            f"body {json.dumps(body, sort_keys=True)}",
        )
    add(
        "GET /pipeline-promotions/{id} until completed, then GET /pipeline-promotions/{id}/promotion-targets "
        f"until every target is final (deadline {timing.promotion_deadline:.0f}s); "
        "any failed target fails the promotion"
    )
    add(
        "GET /apps/{app}/releases/{new release} until it leaves pending "
        f"(deadline {timing.release_deadline:.0f}s); it must succeed and run staging's slug"
    )
    add(f"post-flight: verify the {journal.target_stack} stack, health on the new release")
    if journal.rollback:
        for app in apps:
            add(
                f"only if post-flight fails: POST /apps/{app.target_app}/releases "
                f'{{"release": "{app.previous_release.id}"}} (roll back to v{app.previous_release.version}), '
                "then health again"
            )
    else:
        add("if post-flight fails: stop, leaving production to a person (--no-rollback)")
    return lines


def state_lines(states: list[AppState]) -> list[str]:
    return [f"  {state.describe()}" for state in states]


def journal_summary(journal: Journal) -> str:
    last = f", last outcome {journal.outcome}" if journal.outcome else ""
    return (
        f"Unfinished promotion {journal.id} ({journal.source_stack} -> {journal.target_stack}, started "
        f"{journal.created_at}): phase {journal.phase}{last}"
    )
