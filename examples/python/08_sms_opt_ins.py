"""README "SMS Opt-Ins": read the org's consent rows, record consent and
opt-outs collected elsewhere.

The README's preconditions, set up on the emulator: the recipient has texted
START to one of the org's numbers, and the org runs its own customer-managed
10DLC campaign (writes are refused with 409 customer_campaign_required on the
Inkbox-default campaign)."""

import os

import _emulator as emulator
from inkbox import Inkbox

with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
    identity = inkbox.create_identity("sales-bot")
    phone = identity.provision_phone_number()
    emulator.inbound_text(phone.number, "+15551234567", "START")
    emulator.customer_campaign()

    from inkbox import SmsOptInStatus

    # List the org's consent rows (newest-updated first; server caps limit at 200)
    rows = inkbox.sms_opt_ins.list(limit=50)
    opted_out = inkbox.sms_opt_ins.list(status=SmsOptInStatus.OPTED_OUT)

    # Look up one recipient — 404 → InkboxAPIError if no row exists
    row = inkbox.sms_opt_ins.get("+15551234567")
    print(row.status, row.source, row.opted_in_at, row.opted_out_at)

    # Record consent captured outside of STOP/START (signup form, paper waiver, etc.)
    inkbox.sms_opt_ins.opt_in("+15551234567")

    # Honor an opt-out collected outside of inbound STOP
    inkbox.sms_opt_ins.opt_out("+15551234567")

    row = inkbox.sms_opt_ins.get("+15551234567")
    print(row.status, row.source, len(rows), len(opted_out))
