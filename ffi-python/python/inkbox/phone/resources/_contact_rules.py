"""Hand-written part of the generated ``inkbox.phone.resources.contact_rules``
(the description, ``surface/phone.toml``, names this mixin)."""

from __future__ import annotations

from inkbox.mail.resources._contact_rules import DeprecatedRules


class PhoneContactRulesCustom(DeprecatedRules):
    """The hand-written part of ``PhoneContactRulesResource``: warns like
    the mail rules (deprecated by the service)."""

    _deprecated_name = "phone contact rules"
