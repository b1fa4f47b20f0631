"""README "Access control": which identities can access which secrets."""

import os

from inkbox import Inkbox, LoginPayload

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Setup: a vault with one secret, and an identity.
    inkbox.vault.initialize("my-Vault-key-01!")
    secret = inkbox.vault.unlock("my-Vault-key-01!").create_secret(
        "CRM Login", LoginPayload(username="bot@crm.com", password="s3cret")
    )
    identity = inkbox.create_identity("my-agent")

    # List access rules for a secret
    rules = inkbox.vault.list_access_rules(secret.id)
    for rule in rules:
        print(rule.identity_id)

    # Grant an identity access to a secret
    inkbox.vault.grant_access(secret.id, identity.id)
    print([str(rule.identity_id) for rule in inkbox.vault.list_access_rules(secret.id)])

    # Revoke access
    inkbox.vault.revoke_access(secret.id, identity.id)
    print(len(inkbox.vault.list_access_rules(secret.id)), "rule(s) left")
