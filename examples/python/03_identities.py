"""README "Identities": create (mailbox + tunnel, phone opt-in), custom
sending domain, passthrough tunnel, get/refresh/list, update, release, delete."""

import os

from inkbox import HandleUnavailableError, Inkbox, InkboxAPIError

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    # create_identity atomically provisions the mailbox AND the tunnel —
    # both come back on the response. Phone numbers stay opt-in.
    identity = inkbox.create_identity(
        "sales-bot",
        display_name="Sales Bot",
        description="Sales-outreach agent",
    )
    phone = identity.provision_phone_number()  # provisions a local number
    print(identity.email_address)  # sales-bot@inkboxmail.com
    print(identity.tunnel.public_host)  # sales-bot.inkboxwire.com
    print(phone.number)

    # Pin the identity's mailbox to a verified custom sending domain
    # (bare name; see "Custom Sending Domains" below).
    try:
        inkbox.create_identity("sales-bot-2", sending_domain="mail.acme.com")
    except InkboxAPIError as err:
        # Works once the org has verified mail.acme.com in the console; a
        # fresh org (the emulator) has no custom domains.
        print(f"sending_domain refused ({err.status_code}): {err.detail}")

    # Provision a passthrough tunnel (tls_mode is fixed at create time)
    from inkbox import IdentityTunnelCreateOptions

    inkbox.create_identity("sales-bot-pt", tunnel=IdentityTunnelCreateOptions(tls_mode="passthrough"))

    # Get an existing identity
    identity = inkbox.get_identity("sales-bot")
    identity.refresh()  # re-fetch channels from API

    # List all identities for your org
    all_identities = inkbox.list_identities()
    print([i.agent_handle for i in all_identities])

    # Update handle, display name, description, status. For description,
    # pass None to clear and omit the kwarg to leave untouched.
    identity.update(status="paused")
    try:
        identity.update(new_handle="sales-bot-v2")
    except HandleUnavailableError as err:
        # The handle is the local part of a platform-domain mailbox, so the
        # server refuses the rename (409 handle_rename_blocked).
        print(f"rename refused ({err.status_code})")
    identity.update(display_name="New Name", description="New blurb")
    identity.update(description=None)  # clear

    # Release the phone number (vendor + local).
    identity.release_phone_number()

    # Delete (cascades to mailbox + tunnel + phone-number release; revokes scoped API keys).
    identity.delete()
