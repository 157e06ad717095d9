"""The base every spec model shares: strict, frozen, unknown keys named with a suggestion."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


class Model(BaseModel):
    """Strict (no silent coercion), frozen, and unknown keys rejected with the allowed ones listed."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        allowed = sorted(cls.model_fields)
        unknown = sorted(str(key) for key in data if key not in cls.model_fields)
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PydanticCustomError(
                "unknown_key",
                "unknown key {key}{hint} (allowed: {allowed})",
                {"key": repr(key), "hint": hint, "allowed": ", ".join(allowed)},
            )
        return data
