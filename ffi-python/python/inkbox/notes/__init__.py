"""Notes: organization notes and their access grants."""

from inkbox.notes.resources import NoteAccessResource, NotesResource
from inkbox.notes.types import Note, NoteAccess

__all__ = ["Note", "NoteAccess", "NoteAccessResource", "NotesResource"]
