"""Where the client finds Heroku: base URL and token, resolved as the Heroku CLI resolves them."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.errors import InvalidApiUrl, MissingCredentials
from infra.heroku import netrc_machine, netrc_path, resolve_base_url, resolve_token
from infra.spec.secret import Secret

TOKEN = "hrku-0123456789abcdef"


def write_netrc(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


# --- base URL ----------------------------------------------------------------------------------


def test_base_url_defaults_to_heroku() -> None:
    assert resolve_base_url(env={}) == "https://api.heroku.com"


def test_base_url_comes_from_heroku_api_url_without_its_trailing_slash() -> None:
    assert resolve_base_url(env={"HEROKU_API_URL": "http://127.0.0.1:5000/"}) == "http://127.0.0.1:5000"


def test_base_url_argument_wins_over_the_environment() -> None:
    env = {"HEROKU_API_URL": "http://127.0.0.1:5000"}
    assert resolve_base_url("https://proxy.example.com/heroku/", env=env) == "https://proxy.example.com/heroku"


def test_base_url_that_is_not_http_is_refused_naming_its_source() -> None:
    with pytest.raises(InvalidApiUrl) as err:
        resolve_base_url(env={"HEROKU_API_URL": "api.heroku.com"})
    assert str(err.value) == (
        "HEROKU_API_URL must be an absolute http(s) URL such as https://api.heroku.com or "
        "http://127.0.0.1:5000 (got 'api.heroku.com')"
    )


def test_base_url_with_a_query_is_refused() -> None:
    with pytest.raises(InvalidApiUrl) as err:
        resolve_base_url("https://api.heroku.com/?x=1", env={})
    assert (
        str(err.value) == "the base_url argument must not carry a query or fragment (got 'https://api.heroku.com/?x=1')"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "ftp://u:PW@host",
            "HEROKU_API_URL must be an absolute http(s) URL such as https://api.heroku.com or http://127.0.0.1:5000 "
            "(got 'ftp://***@host')",
        ),
        (
            "http://u:PW@127.0.0.1:5050",
            "HEROKU_API_URL must not carry credentials (got 'http://***@127.0.0.1:5050'): put the token in "
            "HEROKU_API_KEY or ~/.netrc",
        ),
        (
            "http://127.0.0.1:99999",
            "HEROKU_API_URL has no valid host and port (a port is 1 to 65535; got 'http://127.0.0.1:99999')",
        ),
    ],
    ids=["not-http-with-credentials", "credentials", "port-out-of-range"],
)
def test_a_bad_api_url_is_refused_without_echoing_credentials(url: str, message: str) -> None:
    with pytest.raises(InvalidApiUrl) as err:
        resolve_base_url(env={"HEROKU_API_URL": url})

    assert str(err.value) == message
    assert "PW" not in str(err.value)


# --- token -------------------------------------------------------------------------------------


def test_token_argument_wins_and_is_wrapped_as_a_secret() -> None:
    token = resolve_token(TOKEN, env={"HEROKU_API_KEY": "from-env"})
    assert (token.secret.reveal(), token.source) == (TOKEN, "the token argument")
    assert repr(token) == "ApiToken(secret=Secret(****), source='the token argument')"


def test_token_argument_may_already_be_a_secret() -> None:
    token = resolve_token(Secret(value=TOKEN), env={})
    assert token.secret.reveal() == TOKEN


def test_token_comes_from_heroku_api_key() -> None:
    token = resolve_token(env={"HEROKU_API_KEY": f" {TOKEN}\n"})
    assert (token.secret.reveal(), token.source) == (TOKEN, "HEROKU_API_KEY")


def test_token_comes_from_the_netrc_entry_for_the_api_host(tmp_path: Path) -> None:
    netrc = write_netrc(
        tmp_path / ".netrc",
        "machine git.heroku.com login me@example.com password git-token\n"
        f"machine api.heroku.com login me@example.com password {TOKEN}\n",
    )
    token = resolve_token(env={"NETRC": str(netrc)})
    assert (token.secret.reveal(), token.source) == (TOKEN, f"{netrc} (machine api.heroku.com)")


def test_netrc_machine_includes_the_port_when_the_url_names_one() -> None:
    assert [netrc_machine(u) for u in ("https://api.heroku.com", "http://127.0.0.1:5000", "http://LOCALHOST:80/x")] == [
        "api.heroku.com",
        "127.0.0.1:5000",
        "localhost:80",
    ]


def test_netrc_entry_must_match_host_and_port(tmp_path: Path) -> None:
    netrc = write_netrc(
        tmp_path / ".netrc",
        "machine 127.0.0.1 password wrong-port\nmachine 127.0.0.1:5000 password sandbox-token\n",
    )
    token = resolve_token(base_url="http://127.0.0.1:5000", env={"NETRC": str(netrc)})
    assert token.secret.reveal() == "sandbox-token"


def test_netrc_default_entry_is_never_sent_to_heroku(tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path / ".netrc", "default login anyone password not-for-heroku\n")
    with pytest.raises(MissingCredentials):
        resolve_token(env={"NETRC": str(netrc)})


def test_netrc_directory_in_netrc_variable_means_the_netrc_file_inside_it(tmp_path: Path) -> None:
    write_netrc(tmp_path / ".netrc", f"machine api.heroku.com password {TOKEN}\n")
    assert netrc_path({"NETRC": str(tmp_path)}) == tmp_path / ".netrc"
    assert resolve_token(env={"NETRC": str(tmp_path)}).secret.reveal() == TOKEN


def test_netrc_defaults_to_the_home_directory(tmp_path: Path) -> None:
    assert netrc_path({"HOME": str(tmp_path)}) == tmp_path / ".netrc"


def test_environment_token_wins_over_netrc(tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path / ".netrc", "machine api.heroku.com password from-netrc\n")
    token = resolve_token(env={"NETRC": str(netrc), "HEROKU_API_KEY": TOKEN})
    assert token.source == "HEROKU_API_KEY"


def test_missing_token_says_how_to_provide_one(tmp_path: Path) -> None:
    with pytest.raises(MissingCredentials) as err:
        resolve_token(base_url="http://127.0.0.1:5000", env={"NETRC": str(tmp_path / "absent")})
    assert str(err.value) == (
        "no Heroku API token for http://127.0.0.1:5000: set HEROKU_API_KEY, pass a token, or add "
        f"`machine 127.0.0.1:5000 login <email> password <token>` to {tmp_path / 'absent'} "
        "(`heroku login` writes it; `heroku authorizations:create` makes a long-lived token)"
    )


def test_malformed_netrc_is_reported_by_line_without_its_content(tmp_path: Path) -> None:
    netrc = write_netrc(tmp_path / ".netrc", f"machine api.heroku.com password {TOKEN}\nbogus {TOKEN}-leak\n")
    with pytest.raises(MissingCredentials) as err:
        resolve_token(env={"NETRC": str(netrc)})
    assert str(err.value) == f"{netrc} line 2 is not valid netrc syntax; fix it or set HEROKU_API_KEY"
    assert err.value.__suppress_context__  # the parse error (which may quote the file) is not chained
