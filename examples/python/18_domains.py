"""README "Custom Sending Domains": list the org's domains, set the default.

Registering a domain is console-only, so a fresh org (the emulator) has none:
set_default("mail.acme.com") is refused there (404) and shown as such."""

import os

from inkbox import Inkbox, InkboxAPIError

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    from inkbox import SendingDomainStatus

    # List custom sending domains for the org (optionally filter by status)
    verified = inkbox.domains.list(status=SendingDomainStatus.VERIFIED)
    for d in verified:
        print(d.id, d.domain, d.status, d.is_default)

    # Set the org default — admin-scoped API key only.
    # Returns the bare new default domain name (or None when reverted to platform).
    try:
        new_default = inkbox.domains.set_default("mail.acme.com")
    except InkboxAPIError as err:
        print(f"mail.acme.com is not a verified domain of this org ({err.status_code})")

    # Pass the platform domain (e.g. "inkboxmail.com" in prod) to revert.
    print(inkbox.domains.set_default("inkboxmail.com"))  # -> None
