"""``inkbox.threads``: conversation threads of a mailbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Union
from uuid import UUID

from inkbox._resource import Resource, compact
from inkbox.mail.types import Thread, ThreadDetail, ThreadFolder

__all__ = ["ThreadsResource"]

_DEFAULT_PAGE_SIZE = 50


def _path(email_address: str, thread_id: Union[UUID, str, None] = None) -> dict[str, Any]:
    path: dict[str, Any] = {"email": email_address}
    if thread_id is not None:
        path["thread_id"] = str(thread_id)
    return {"path": path}


class ThreadsResource(Resource):
    """Threads of one mailbox."""

    def list(
        self,
        email_address: str,
        *,
        folder: Union[ThreadFolder, str, None] = None,
        page_size: int = _DEFAULT_PAGE_SIZE,
    ) -> Iterator[Thread]:
        """Iterates the mailbox's threads, most recent first."""
        args = _path(email_address)
        args["query"] = compact(limit=page_size, folder=folder)
        return self._r.paginate("mail.threads.list", args, Thread)

    def get(self, email_address: str, thread_id: Union[UUID, str]) -> ThreadDetail:
        """One thread with its messages, oldest first."""
        return self._r.call("mail.threads.get", _path(email_address, thread_id), ThreadDetail)

    def delete(self, email_address: str, thread_id: Union[UUID, str]) -> None:
        """Deletes the thread."""
        return self._r.void("mail.threads.delete", _path(email_address, thread_id))
