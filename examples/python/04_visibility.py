"""README "Identity visibility": which other agent identities can see this one."""

import os

from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Setup: the two identities the README refers to.
    inkbox.create_identity("sales-bot")
    inkbox.create_identity("support-bot")

    identity = inkbox.get_identity("sales-bot")

    # List the current visibility rules. Either a single wildcard row
    # (viewer_identity_id is None — every active identity sees it) or
    # explicit per-viewer rows. An empty list means no agent can see it.
    rules = identity.list_access()
    print(rules)

    # Grant one viewer identity visibility
    viewer = inkbox.get_identity("support-bot")
    identity.grant_access(viewer.id)

    # Make it visible to every active identity in the org (wildcard)
    identity.grant_access(None)

    # Revoke one viewer (keyed by the viewer identity's UUID)
    identity.revoke_access(viewer.id)
    print(identity.list_access())
