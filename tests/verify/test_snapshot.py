"""The snapshot reader only ever reads: it refuses a client that could write."""

from __future__ import annotations

import pytest

from infra.heroku import HerokuClient
from infra.verify.snapshot import SnapshotReader

pytestmark = pytest.mark.anyio


async def test_the_reader_refuses_a_client_that_is_not_read_only() -> None:
    async with HerokuClient(base_url="http://127.0.0.1:9", token="t") as writable:
        with pytest.raises(ValueError, match="verification reads through a read-only HerokuClient"):
            SnapshotReader(writable)
