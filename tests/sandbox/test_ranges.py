"""`Range` pagination: parsing, pages, `Next-Range`, 206/200 and 416."""

from __future__ import annotations

import httpx
import pytest

from infra.sandbox.ranges import RangeSpec, paginate, parse_range
from infra.sandbox.responses import ApiError

pytestmark = pytest.mark.anyio

ITEMS = [{"id": f"id-{n:02d}", "version": n} for n in range(1, 8)]


def test_no_header_means_first_field_ascending_200_per_page() -> None:
    assert parse_range(None, ("id", "name")) == RangeSpec(field="id")


def test_heroku_go_form_with_max_and_order_in_one_parameter_list() -> None:
    assert parse_range("version ..; max=1,order=desc", ("id", "version")) == RangeSpec(
        field="version", max=1, descending=True
    )


def test_exclusive_start_and_trailing_semicolon_are_read() -> None:
    assert parse_range("id ]id-03..; max=10;", ("id",)) == RangeSpec(
        field="id", start="id-03", start_exclusive=True, max=10
    )


def test_max_above_1000_is_clamped() -> None:
    assert parse_range("id ..; max=5000", ("id",)).max == 1000


@pytest.mark.parametrize(
    "header", ["name ..", "id ..; max=0", "id ..; max=ten", "id ..; order=up", "id ..; colour=red", "id abc", "id ..5"]
)
def test_unsupported_field_or_malformed_header_is_416(header: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_range(header, ("id",))

    assert (caught.value.status, caught.value.error_id) == (416, "requested_range_not_satisfiable")


def test_a_page_with_more_after_it_is_206_with_next_range_inheriting_max_and_order() -> None:
    page = paginate(ITEMS, RangeSpec(field="version", max=3, descending=True), ("id", "version"))

    assert [i["version"] for i in page.items] == [7, 6, 5]
    assert page.status == 206
    assert page.headers == {
        "Accept-Ranges": "id, version",
        "Content-Range": "version 7..5",
        "Next-Range": "version ]5..; max=3, order=desc",
    }


def test_following_next_range_reaches_a_last_page_of_200() -> None:
    spec = parse_range("version ]5..; max=3, order=desc", ("id", "version"))

    page = paginate(ITEMS, spec, ("id", "version"))

    assert [i["version"] for i in page.items] == [4, 3, 2]
    assert page.status == 206
    last = paginate(ITEMS, parse_range(page.headers["Next-Range"], ("id", "version")), ("id", "version"))
    assert ([i["version"] for i in last.items], last.status, "Next-Range" in last.headers) == ([1], 200, False)


def test_inclusive_start_and_end_bound_the_page() -> None:
    page = paginate(ITEMS, parse_range("id id-02..id-04", ("id",)), ("id",))

    assert [i["id"] for i in page.items] == ["id-02", "id-03", "id-04"]


async def test_listing_250_apps_takes_two_pages_by_following_next_range(sandbox_client: httpx.AsyncClient) -> None:
    for n in range(250):
        await sandbox_client.post("/apps", json={"name": f"app-{n:03d}"})

    first = await sandbox_client.get("/apps", headers={"Range": "name ..; max=200"})
    second = await sandbox_client.get("/apps", headers={"Range": first.headers["Next-Range"]})

    names = [a["name"] for a in first.json() + second.json()]
    assert (first.status_code, second.status_code) == (206, 200)
    assert names == [f"app-{n:03d}" for n in range(250)]
    assert first.headers["Accept-Ranges"] == "id, name, updated_at"


async def test_a_bad_range_on_a_list_endpoint_is_416(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.get("/apps", headers={"Range": "colour .."})

    assert (response.status_code, response.json()["id"]) == (416, "requested_range_not_satisfiable")
