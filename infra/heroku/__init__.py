"""The Heroku Platform API client: the only way the product talks to Heroku.

    async with HerokuClient(read_only=True) as heroku:
        app = await heroku.get("/apps/shopsentiment-staging")
        addons = await heroku.get_list("/apps/shopsentiment-staging/addons")
        print(heroku.stats.requests)

Errors are the `HerokuError` family in `infra.errors`.
"""

from infra.heroku.client import ACCEPT, HerokuClient, JSONObject, default_user_agent
from infra.heroku.credentials import (
    DEFAULT_API_URL,
    ApiToken,
    netrc_machine,
    netrc_path,
    resolve_base_url,
    resolve_token,
)
from infra.heroku.etag_cache import EtagCache
from infra.heroku.pagination import first_range, following_range
from infra.heroku.policy import RetryPolicy, backoff_delay, pacing_interval, parse_retry_after
from infra.heroku.stats import ClientStats

__all__ = [
    "ACCEPT",
    "DEFAULT_API_URL",
    "ApiToken",
    "ClientStats",
    "EtagCache",
    "HerokuClient",
    "JSONObject",
    "RetryPolicy",
    "backoff_delay",
    "default_user_agent",
    "first_range",
    "following_range",
    "netrc_machine",
    "netrc_path",
    "pacing_interval",
    "parse_retry_after",
    "resolve_base_url",
    "resolve_token",
]
