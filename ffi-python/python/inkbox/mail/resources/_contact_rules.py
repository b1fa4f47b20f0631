"""Hand-written part of the generated ``inkbox.mail.resources.contact_rules``
(the description, ``surface/mail.toml``, names this mixin): the service has
announced mail and phone contact rules deprecated, so every public method of
a rules resource warns when called."""

from __future__ import annotations

import warnings
from typing import Any

from inkbox._resource import Resource


class DeprecatedRules(Resource):
    """Emits a ``DeprecationWarning`` whenever a public method is looked up
    (that is, right before it is called), pointing at the caller's line."""

    _deprecated_name = "contact rules"

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if not name.startswith("_") and callable(value):
            warnings.warn(
                f"{type(self).__name__}.{name}: {object.__getattribute__(self, '_deprecated_name')} "
                "are deprecated by the Inkbox service",
                DeprecationWarning,
                stacklevel=2,
            )
        return value


class MailContactRulesCustom(DeprecatedRules):
    """The hand-written part of ``MailContactRulesResource``."""

    _deprecated_name = "mail contact rules"
