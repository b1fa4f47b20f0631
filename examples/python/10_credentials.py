"""README "Credentials": the agent-facing view of the vault secrets an
identity can access.

Setup: the org's vault (initialized with the README's key when the org has
none yet) and three secrets the identity "my-agent" has access to."""

import os

from inkbox import APIKeyPayload, Inkbox, LoginPayload, SSHKeyPayload

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    if inkbox.vault.info() is None:  # a fresh org has no vault yet
        inkbox.vault.initialize("my-Vault-key-01!")
    agent = inkbox.create_identity("my-agent")
    inkbox.vault.unlock("my-Vault-key-01!")
    login_secret = agent.create_secret(name="CRM Login", payload=LoginPayload(username="bot@crm.com", password="s3cret"))
    api_secret = agent.create_secret(name="Stripe", payload=APIKeyPayload(api_key="sk_test_123"))
    ssh_secret = agent.create_secret(
        name="Deploy key",
        payload=SSHKeyPayload(private_key="-----BEGIN OPENSSH PRIVATE KEY-----\nexample\n-----END OPENSSH PRIVATE KEY-----\n"),
    )

    # ---- README ----
    # Unlock the vault (once per session)
    inkbox.vault.unlock("my-Vault-key-01!")
    identity = inkbox.get_identity("my-agent")

    # Discovery — list credentials this identity has access to
    for login in identity.credentials.list_logins():
        print(login.name, login.payload.username)
    for key in identity.credentials.list_api_keys():
        # 0.4.9 fails here: its APIKeyPayload has api_key/endpoint, no access_key
        # (access_key belongs to KeyPairPayload).
        print(key.name, key.payload.access_key)

    # Access by UUID — returns the typed payload directly
    login = identity.credentials.get_login(login_secret.id)  # → LoginPayload
    api_key = identity.credentials.get_api_key(api_secret.id)  # → APIKeyPayload
    ssh_key = identity.credentials.get_ssh_key(ssh_secret.id)  # → SSHKeyPayload

    # Generic access
    secret = identity.credentials.get(login_secret.id)  # → DecryptedVaultSecret
    print(login.username, api_key.api_key, ssh_key.private_key.splitlines()[0], secret.name)
