"""README "Whoami": who the API key belongs to."""

import os

from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Check the authenticated caller's identity
    info = inkbox.whoami()
    print(info.auth_type)  # "api_key" or "jwt"
    print(info.organization_id)

    # Narrow by auth type
    # 0.4.9 fails here: `inkbox` is the client instance, which has no
    # WhoamiApiKeyResponse attribute (the class is on the package).
    if isinstance(info, inkbox.WhoamiApiKeyResponse):
        print(info.key_id, info.label)
    elif isinstance(info, inkbox.WhoamiJwtResponse):
        print(info.email, info.org_role)
