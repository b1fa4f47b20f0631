"""README "Signing Keys": create or rotate the org-level webhook signing key.

Careful against a real org: this rotates the key your webhook receivers
verify with."""

import os

from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Create or rotate the org-level webhook signing key (plaintext returned once)
    key = inkbox.create_signing_key()
    print(key.signing_key)  # save this immediately
