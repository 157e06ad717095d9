"""The pre-flight gate's decisions, one piece of evidence at a time, with the exact lines a person reads."""

from __future__ import annotations

from dataclasses import replace

from infra.promote.envdiff import EnvDiff, EnvDifference
from infra.promote.gate import GateEvidence, PairEvidence, StackCheck, evaluate
from infra.promote.promotion_policy import Rule
from infra.verify.live import LiveApp, LiveAppInfo, LiveCoupling, LiveRelease

ALLOW_QUANTITY = Rule(path="web/formation/*/quantity", reason="redundancy")
CLEAN_DIFF = EnvDiff(
    "staging",
    "production",
    (EnvDifference("web/formation/web/quantity", "1", "2", allowed_by=ALLOW_QUANTITY),),
    (),
    "promotion.yaml",
)


def live_app(
    name: str,
    app_id: str,
    *,
    stage: str,
    release: tuple[str, int, str | None] | None,
    status: str = "succeeded",
    pipeline_id: str | None = "pipe-1",
    generation: str = "cedar",
) -> LiveApp:
    """An app as verification reads it: info, pipeline coupling, and its current release."""
    info = LiveAppInfo(app_id, name, "us", "heroku-24", acm=False, web_url=None, generation=generation)
    coupling = () if pipeline_id is None else (LiveCoupling(f"coupling-{app_id}", pipeline_id, stage),)
    releases = () if release is None else (LiveRelease(*release[:2], status, True, "", None, None, release[2]),)
    return LiveApp(key="web", name=name, info=info, coupling=coupling, releases=releases)


STAGING_APP = live_app("shop-staging", "app-s", stage="staging", release=("rel-s9", 9, "slug-new"))
PRODUCTION_APP = live_app("shop-production", "app-p", stage="production", release=("rel-p4", 4, "slug-old"))
EVIDENCE = GateEvidence(
    pipeline="shop",
    pipeline_id="pipe-1",
    source_stage="staging",
    target_stage="production",
    diff=CLEAN_DIFF,
    source_check=StackCheck("staging", drift_free=True, healthy=True, checks=20),
    target_check=StackCheck("production", drift_free=True, healthy=True, checks=22),
    pairs={"web": PairEvidence("web", STAGING_APP, PRODUCTION_APP)},
)


def with_pair(source: LiveApp = STAGING_APP, target: LiveApp = PRODUCTION_APP) -> GateEvidence:
    return replace(EVIDENCE, pairs={"web": PairEvidence("web", source, target)})


def test_a_ready_pair_passes_and_lists_allowed_differences_as_notes() -> None:
    result = evaluate(EVIDENCE)

    assert (result.passed, result.reasons, result.notes, result.nothing_to_do) == (
        True,
        (),
        ("web/formation/web/quantity: staging 1, production 2 (allowed: redundancy)",),
        False,
    )


def test_a_difference_off_the_allowlist_blocks_with_the_entry_that_would_allow_it() -> None:
    diff = replace(
        CLEAN_DIFF,
        differences=(EnvDifference("web/config/FEATURE_X", "set", "absent", "declared in Pulumi.staging.yaml only"),),
    )

    with_policy = evaluate(replace(EVIDENCE, diff=replace(diff, policy_file="promotion.yaml")))
    without = evaluate(replace(EVIDENCE, diff=replace(diff, policy_file=None)))

    assert with_policy.reasons == (
        "web/config/FEATURE_X: staging set, production absent; declared in Pulumi.staging.yaml only. "
        "Not allowed by promotion.yaml; if it is intended, add `- path: web/config/FEATURE_X` with a `reason:` "
        "under `may_differ`",
    )
    assert without.reasons == (
        "web/config/FEATURE_X: staging set, production absent; declared in Pulumi.staging.yaml only. "
        "The project has no promotion.yaml, so nothing may differ; if this is intended, create promotion.yaml with "
        "`may_differ:` listing `- path: web/config/FEATURE_X` and a `reason:`",
    )


def test_unhealthy_staging_blocks_with_its_findings() -> None:
    check = StackCheck("staging", drift_free=True, healthy=False, problems=("health web: 503 from /health",), checks=20)

    result = evaluate(replace(EVIDENCE, source_check=check))

    assert result.reasons == ("staging is not healthy on its current release:", "  health web: 503 from /health")


def test_drift_in_production_blocks_but_its_poor_health_is_only_a_note() -> None:
    drifted = StackCheck(
        "production", drift_free=False, healthy=True, problems=("config web LOG_LEVEL: changed",), checks=22
    )
    unhealthy = StackCheck("production", drift_free=True, healthy=False, problems=("health web: 500",), checks=22)

    assert evaluate(replace(EVIDENCE, target_check=drifted)).reasons == (
        "production has drift; reconcile it (`pulumi up`, or waive it) before promoting:",
        "  config web LOG_LEVEL: changed",
    )
    assert evaluate(replace(EVIDENCE, target_check=unhealthy)).notes[-1] == (
        "production is unhealthy before the promotion; a rollback would return to that state"
    )


def test_a_verification_that_ran_no_checks_proves_nothing() -> None:
    result = evaluate(replace(EVIDENCE, source_check=StackCheck("staging", drift_free=True, healthy=True, checks=0)))

    assert result.reasons == ("staging: verification ran no checks, so nothing proves staging is ready",)


def test_couplings_must_be_the_stacks_pipeline_in_the_right_stages() -> None:
    result = evaluate(
        with_pair(target=live_app("shop-production", "app-p", stage="staging", release=("rel-p4", 4, "slug-old")))
    )
    uncoupled = evaluate(
        with_pair(
            source=live_app(
                "shop-staging", "app-s", stage="staging", release=("rel-s9", 9, "slug-new"), pipeline_id=None
            )
        )
    )
    elsewhere = evaluate(
        with_pair(
            target=live_app(
                "shop-production", "app-p", stage="production", release=("rel-p4", 4, "slug-old"), pipeline_id="pipe-2"
            )
        )
    )

    assert result.reasons == ("web: shop-production is in the staging stage of 'shop', not production",)
    assert uncoupled.reasons == ("web: shop-staging is not coupled to any pipeline (expected 'shop', stage staging)",)
    assert elsewhere.reasons == ("web: shop-production is coupled to another pipeline than 'shop'",)


def test_staging_must_have_a_succeeded_release_with_a_slug() -> None:
    pending = evaluate(
        with_pair(
            source=live_app(
                "shop-staging", "app-s", stage="staging", release=("rel-s9", 9, "slug-new"), status="pending"
            )
        )
    )
    slugless = evaluate(
        with_pair(source=live_app("shop-staging", "app-s", stage="staging", release=("rel-s9", 9, None)))
    )

    assert pending.reasons == ("web: shop-staging's current release v9 is pending, not succeeded",)
    assert slugless.reasons == ("web: shop-staging's current release v9 has no slug to promote",)


def test_apps_of_different_generations_cannot_be_promoted_between() -> None:
    result = evaluate(
        with_pair(
            target=live_app(
                "shop-production", "app-p", stage="production", release=("rel-p4", 4, "slug-old"), generation="fir"
            )
        )
    )

    assert result.reasons == (
        "web: shop-staging runs on cedar and shop-production on fir; "
        "Heroku promotes only between apps of the same generation",
    )


def test_a_missing_pipeline_blocks() -> None:
    result = evaluate(replace(EVIDENCE, pipeline_id=None))

    assert result.reasons == ("pipeline 'shop' does not exist; `pulumi up` the stack that owns it",)


def test_production_already_on_stagings_slug_means_nothing_to_do() -> None:
    result = evaluate(
        with_pair(target=live_app("shop-production", "app-p", stage="production", release=("rel-p5", 5, "slug-new")))
    )

    assert (result.passed, result.up_to_date, result.nothing_to_do) == (True, ("web",), True)
