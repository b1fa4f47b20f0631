"""Hand-written methods of the generated ``inkbox.mail.resources.domains`` (the description,
``surface/*.toml``, names these mixins)."""

from __future__ import annotations

from typing import Optional, Union, List
from inkbox._resource import Resource, compact
from inkbox.mail.types import Domain, SendingDomainStatus, SetDefaultDomainResponse


class DomainsCustom(Resource):
    """The hand-written part of ``DomainsResource``."""

    def set_default(self, domain_name: str) -> Optional[str]:
        """Sets the organization's default sending domain (admin keys only);
        returns the new default, or ``None`` when reverted to the platform
        domain."""
        return self._r.map(
            self._r.call_optional(
                "domains.set_default", {"path": {"domain_encoded": domain_name}}, SetDefaultDomainResponse
            ),
            lambda r: None if r is None else r.default_domain,
        )
