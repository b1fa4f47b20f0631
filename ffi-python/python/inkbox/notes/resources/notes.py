"""``inkbox.notes``: organization notes and their grants (``notes.access``)."""

from __future__ import annotations

from typing import Any, List, Literal, Optional, Union
from uuid import UUID

from inkbox._resource import UNSET, Resource, compact, given
from inkbox.notes.types import Note, NoteAccess

__all__ = ["NoteAccessResource", "NotesResource"]

_Id = Union[UUID, str]


class NoteAccessResource(Resource):
    """Per-note access grants (no wildcard)."""

    def list(self, note_id: _Id) -> List[NoteAccess]:
        """The note's grants."""
        return self._r.call_list("notes.access.list", {"path": {"note_id": str(note_id)}}, NoteAccess)

    def grant(self, note_id: _Id, *, identity_id: _Id) -> NoteAccess:
        """Grants an identity access (admin only)."""
        args = {"path": {"note_id": str(note_id)}, "body": {"identity_id": str(identity_id)}}
        return self._r.call("notes.access.grant", args, NoteAccess)

    def revoke(self, note_id: _Id, identity_id: _Id) -> None:
        """Revokes an identity's grant (an agent key only its own)."""
        return self._r.void("notes.access.revoke", {"path": {"note_id": str(note_id), "identity_id": str(identity_id)}})


class NotesResource(Resource):
    """Organization notes with per-identity grants."""

    def __init__(self, runner: Any) -> None:
        super().__init__(runner)
        self._access = NoteAccessResource(runner)

    @property
    def access(self) -> NoteAccessResource:
        """Per-note access grants."""
        return self._access

    def list(
        self,
        *,
        q: Optional[str] = None,
        identity_id: Optional[_Id] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        order: Union[Literal["recent", "created"], str, None] = None,
    ) -> List[Note]:
        """Notes the caller can see (``q`` ≤ 200 characters, ``limit`` 1–200)."""
        query = compact(
            q=q,
            identity_id=None if identity_id is None else str(identity_id),
            limit=limit,
            offset=offset,
            order=order,
        )
        return self._r.call_list("notes.list", {"query": query}, Note)

    def get(self, note_id: _Id) -> Note:
        """One note."""
        return self._r.call("notes.get", {"path": {"note_id": str(note_id)}}, Note)

    def create(self, *, body: str, title: Optional[str] = None) -> Note:
        """Creates a note (an agent-created note is granted to its creator)."""
        return self._r.call("notes.create", {"body": compact(body=body, title=title)}, Note)

    def update(self, note_id: _Id, *, title: Any = UNSET, body: Any = UNSET) -> Note:
        """Merge patch: ``title=None`` clears the title; the body cannot be cleared."""
        return self._r.call(
            "notes.update", {"path": {"note_id": str(note_id)}, "body": given(title=title, body=body)}, Note
        )

    def delete(self, note_id: _Id) -> None:
        """Deletes a note."""
        return self._r.void("notes.delete", {"path": {"note_id": str(note_id)}})
