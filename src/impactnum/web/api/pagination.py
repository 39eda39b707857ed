"""One pagination for every list: `?limit=&offset=`, answering `{count, items}`."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
"""More than any list holds; a larger number would overflow the database's integer (a 500)."""


class Pagination(LimitOffsetPagination):
    """Limit/offset with a bounded page: `limit` 1–500 (default 100), `offset` 0–10⁹."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip")

    class Output(Schema):
        count: int = Field(description="Items matching, across every page")
        items: list[Any]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
