"""README "Identity Secret Management": secrets created through an identity
are granted to it automatically."""

import os

from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Setup: a vault, unlocked, and the identity.
    inkbox.vault.initialize("my-Vault-key-01!")
    inkbox.vault.unlock("my-Vault-key-01!")
    inkbox.create_identity("my-agent")

    # ---- README ----
    # 0.4.9 fails here: there is no inkbox.vault.models (the payloads live in
    # inkbox.vault.types and the package root).
    from inkbox.vault.models import LoginPayload, APIKeyPayload

    identity = inkbox.get_identity("my-agent")

    # Create a secret and auto-grant this identity access
    secret = identity.create_secret(
        name="CRM Login",
        payload=LoginPayload(username="bot@crm.com", password="s3cret"),
        description="CRM service account",
    )

    # Fetch and decrypt a secret
    decrypted = identity.get_secret(secret.id)
    print(decrypted.payload.username)

    # Revoke this identity's access (without deleting the secret)
    # (before the delete below: deleting drops the secret's access rules)
    identity.revoke_credential_access(secret.id)

    # Delete a secret
    identity.delete_secret(secret.id)

    api = identity.create_secret(name="Stripe", payload=APIKeyPayload(api_key="sk_test_123"))
    print(identity.get_secret(api.id).payload.api_key)
