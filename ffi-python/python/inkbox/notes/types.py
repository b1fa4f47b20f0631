"""Models of inkbox.notes.types: organization notes (see inkbox-core ``api::notes``)."""

from __future__ import annotations

from datetime import datetime
from typing import List, Optional

from inkbox._models import Model

__all__ = ["Note", "NoteAccess"]


class NoteAccess(Model):
    """One identity's grant on a note (notes have no wildcard)."""

    id: str
    note_id: str
    identity_id: str
    created_at: datetime


class Note(Model):
    """A note: a markdown body with an optional title."""

    id: str
    organization_id: str
    created_by: str
    title: Optional[str]
    body: str
    status: str
    created_at: datetime
    updated_at: datetime
    access: List[NoteAccess]
