"""Range headers and the decision to fetch another page: pure functions."""

from __future__ import annotations

import pytest

from infra.heroku import first_range, following_range
from infra.heroku.pagination import PageError


def test_first_range_asks_for_the_largest_page_by_id() -> None:
    assert first_range() == "id ..; max=1000"


def test_first_range_for_the_newest_release() -> None:
    assert first_range("version", page_size=1, order="desc") == "version ..; max=1, order=desc"


@pytest.mark.parametrize("size", [0, 1001])
def test_first_range_refuses_pages_heroku_would_not_serve(size: int) -> None:
    with pytest.raises(ValueError, match=rf"^page_size must be between 1 and 1000 \(got {size}\)$"):
        first_range(page_size=size)


def test_first_range_refuses_a_sort_that_is_not_a_field_name() -> None:
    with pytest.raises(ValueError, match=r"^sort must be a field name"):
        first_range("id; max=5")


def test_partial_content_continues_at_next_range() -> None:
    assert following_range(206, "id ]abc..; max=1000", "id ..; max=1000") == "id ]abc..; max=1000"


def test_a_200_with_next_range_is_still_followed() -> None:
    assert following_range(200, "id ]abc..; max=1000", "id ..; max=1000") == "id ]abc..; max=1000"


def test_a_200_without_next_range_ends_the_list() -> None:
    assert following_range(200, None, "id ..; max=1000") is None


def test_a_206_without_next_range_is_an_error_not_the_end() -> None:
    with pytest.raises(PageError) as err:
        following_range(206, "", "id ..; max=1000")
    assert str(err.value) == "206 Partial Content without a Next-Range header: the rest of the list is unreachable"


def test_a_next_range_that_repeats_the_page_is_an_error() -> None:
    with pytest.raises(PageError) as err:
        following_range(206, "id ]abc..; max=10", "id ]abc..; max=10")
    assert str(err.value) == "Next-Range 'id ]abc..; max=10' repeats the range just fetched: the list would never end"
