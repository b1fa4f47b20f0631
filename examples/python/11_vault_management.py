"""README "Vault Management": info, initialize (recovery codes), key
rotation by current key and by recovery code, keys, secrets, unlock.

Order differs from the README where state requires it: a fresh org has no
vault, so info() comes after initialize(); the recovery-code rotation needs a
new key that is not the current one; the final unlock uses the key in force."""

import os

from inkbox import Inkbox, LoginPayload

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # Initialize a new vault (creates primary key + recovery keys)
    result = inkbox.vault.initialize("my-Vault-key-01!")
    # 0.4.9 fails here: its VaultInitializeResult has recovery_codes (plain
    # strings), no recovery_keys.
    for recovery_key in result.recovery_keys:
        print(recovery_key.recovery_code)  # save these immediately

    # Get vault metadata (key counts, secret counts)
    info = inkbox.vault.info()
    print(info.secret_count, info.key_count)

    # Setup: two secrets to list, read and delete.
    setup = inkbox.vault.unlock("my-Vault-key-01!")
    crm = setup.create_secret("CRM Login", LoginPayload(username="bot@crm.com", password="s3cret"))
    old = setup.create_secret("Old Login", LoginPayload(username="old@crm.com", password="0ld"))

    # Rotate the vault password
    inkbox.vault.update_key("new-Vault-key-02!", current_vault_key="my-Vault-key-01!")

    # Rotate using a recovery code (if primary key is lost)
    inkbox.vault.update_key("new-Vault-key-03!", recovery_code=result.recovery_keys[0].recovery_code)

    # List vault keys
    keys = inkbox.vault.list_keys()  # all keys
    primary_keys = inkbox.vault.list_keys(key_type="PRIMARY")
    recovery_keys = inkbox.vault.list_keys(key_type="RECOVERY")
    print(len(keys), len(primary_keys), len(recovery_keys))

    # List secrets (metadata only — no encrypted payloads)
    secrets = inkbox.vault.list_secrets()
    logins = inkbox.vault.list_secrets(secret_type="login")
    print([s.name for s in secrets], len(logins))

    # Delete a secret
    inkbox.vault.delete_secret(old.id)

    # Unlock the vault for decryption (returns an UnlockedVault)
    unlocked = inkbox.vault.unlock("new-Vault-key-03!")
    secret = unlocked.get_secret(crm.id)
    print(secret.name, secret.payload)
