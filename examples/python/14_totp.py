"""README "TOTP (one-time passwords)": add TOTP to a login, generate the
current code, remove it."""

import os

from inkbox import Inkbox, LoginPayload

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Setup: a vault, unlocked, an identity and a login secret.
    inkbox.vault.initialize("my-Vault-key-01!")
    inkbox.vault.unlock("my-Vault-key-01!")
    identity = inkbox.create_identity("my-agent")
    secret = identity.create_secret(name="Example", payload=LoginPayload(username="user", password="s3cret"))

    # Add TOTP to a login secret (accepts otpauth:// URI or TOTPConfig)
    identity.set_totp(secret.id, "otpauth://totp/Example:user?secret=JBSWY3DPEHPK3PXP&issuer=Example")

    # Generate the current TOTP code
    code = identity.get_totp_code(secret.id)
    # 0.4.9 fails here: its TOTPCode calls it seconds_remaining, no expires_in.
    print(code.code, code.expires_in)

    # Remove TOTP from a secret
    identity.remove_totp(secret.id)
