"""The promotion journal on disk: round trips, atomic writes, and which journal a later run resumes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.errors import ExitCode, PromotionError
from infra.promote.journal import (
    AppPromotion,
    Journal,
    JournalStore,
    Phase,
    PromotionOutcome,
    ReleaseRef,
    RequestRecord,
    Step,
)


def journal(journal_id: str, *, phase: Phase = Phase.PROMOTING, outcome: PromotionOutcome | None = None) -> Journal:
    return Journal(
        id=journal_id,
        created_at="2026-01-01T00:00:00Z",
        source_stack="staging",
        target_stack="production",
        pipeline="shop",
        pipeline_id="pipe-1",
        rollback=True,
        phase=phase,
        outcome=outcome,
        apps=[
            AppPromotion(
                key="web",
                source_app="shop-staging",
                source_app_id="app-s",
                target_app="shop-production",
                target_app_id="app-p",
                source_release=ReleaseRef(id="rel-s9", version=9, slug_id="slug-new"),
                previous_release=ReleaseRef(id="rel-p4", version=4, slug_id="slug-old"),
                promotion_id="promo-1",
            )
        ],
        steps=[
            Step(
                name="promote",
                started_at="2026-01-01T00:00:01Z",
                requests=[RequestRecord(method="POST", path="/pipeline-promotions", status=201, request_id="req-1")],
            )
        ],
    )


def test_a_saved_journal_reads_back_equal(tmp_path: Path) -> None:
    store = JournalStore(tmp_path)
    original = journal("20260101T000000Z-a1")

    path = store.save(original)

    assert (path, store.load(path)) == (tmp_path / "20260101T000000Z-a1.json", original)
    assert json.loads(path.read_text())["schema"] == "heroku-stack/promotion-journal@1"


def test_saving_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    store = JournalStore(tmp_path)
    entry = journal("20260101T000000Z-a1")

    store.save(entry)
    entry.phase = Phase.PROMOTED
    store.save(entry)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["20260101T000000Z-a1.json"]


def test_the_newest_open_journal_for_the_stack_pair_is_the_one_to_resume(tmp_path: Path) -> None:
    store = JournalStore(tmp_path)
    for entry in (
        journal("20260101T000000Z-a1", phase=Phase.CLOSED, outcome=PromotionOutcome.NEEDS_ATTENTION),
        journal("20260102T000000Z-b2", phase=Phase.PROMOTED),
        journal("20260103T000000Z-c3", phase=Phase.CLOSED, outcome=PromotionOutcome.SUCCEEDED),
    ):
        store.save(entry)

    found = store.open_for("staging", "production")

    assert found is not None
    assert (found.id, store.open_for("production", "staging")) == ("20260102T000000Z-b2", None)


def test_an_unreadable_journal_is_a_promotion_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "20260101T000000Z-a1.json").write_text('{"schema": "something-else"}')

    with pytest.raises(PromotionError) as caught:
        JournalStore(tmp_path).all()

    assert str(caught.value) == (
        f"{tmp_path / '20260101T000000Z-a1.json'}: cannot read this promotion journal (not a promotion journal "
        "(schema 'something-else', expected 'heroku-stack/promotion-journal@1')); "
        "move it aside once production is checked"
    )


def test_each_outcome_maps_to_its_exit_code() -> None:
    assert {o.value: o.exit_code for o in PromotionOutcome} == {
        "succeeded": ExitCode.OK,
        "up-to-date": ExitCode.OK,
        "blocked": ExitCode.BLOCKED,
        "declined": ExitCode.DECLINED,
        "abandoned": ExitCode.ERROR,
        "failed": ExitCode.NEEDS_ATTENTION,
        "rolled-back": ExitCode.ROLLED_BACK,
        "rolled-back-as-asked": ExitCode.ROLLED_BACK_AS_ASKED,
        "needs-attention": ExitCode.NEEDS_ATTENTION,
        "resolved": ExitCode.OK,
    }
