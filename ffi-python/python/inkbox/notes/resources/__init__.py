"""The notes resources."""

from inkbox.notes.resources.notes import NoteAccessResource, NotesResource

__all__ = ["NoteAccessResource", "NotesResource"]
