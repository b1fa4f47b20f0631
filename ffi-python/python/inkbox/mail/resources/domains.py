"""``inkbox.domains``: custom sending domains."""

from __future__ import annotations

from typing import Optional, Union, List

from inkbox._resource import Resource, compact
from inkbox.mail.types import Domain, SendingDomainStatus, SetDefaultDomainResponse

__all__ = ["DomainsResource"]


class DomainsResource(Resource):
    """The organization's custom sending domains."""

    def list(self, *, status: Union[SendingDomainStatus, str, None] = None) -> List[Domain]:
        """The domains, optionally of one status."""
        return self._r.call_list("domains.list", {"query": compact(status=status)}, Domain)

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
