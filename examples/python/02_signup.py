"""README "Agent Signup": sign up without an API key, verify with the code
the human received, resend, check status.

The 6-digit code: INKBOX_SIGNUP_CODE, else (emulator) read from the
emulator's outbox, else asked on stdin.
"""

import os

import _emulator as emulator
from inkbox import Inkbox, InkboxAPIError

BASE_URL = os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai")

# Sign up (public — no API key needed)
try:
    result = Inkbox.signup(
        human_email="john@example.com",
        note_to_human="Hey John, this is your sales bot signing up!",  # required
        display_name="Sales Agent",  # optional
        agent_handle="sales-agent",  # optional
        email_local_part="sales.agent",  # optional
        base_url=BASE_URL,
    )
except InkboxAPIError as err:
    # On the platform domain (inkboxmail.com) the mailbox local part must equal
    # the handle, so the server refuses "sales.agent" next to "sales-agent"
    # (422). Same call without email_local_part:
    print(f"signup refused ({err.status_code}): {err.detail}")
    result = Inkbox.signup(
        human_email="john@example.com",
        note_to_human="Hey John, this is your sales bot signing up!",
        display_name="Sales Agent",
        agent_handle="sales-agent",
        base_url=BASE_URL,
    )

api_key = result.api_key  # save — shown only once
email = result.email_address  # e.g. "sales-agent-a1b2c3@inkboxmail.com"
handle = result.agent_handle  # e.g. "sales-agent-a1b2c3"
print(email, handle)

# The human shares the 6-digit code from the email.
code = os.environ.get("INKBOX_SIGNUP_CODE") or emulator.signup_code(handle) or input("6-digit code: ").strip()

# Verify (after human shares the 6-digit code from the email)
Inkbox.verify_signup(api_key, verification_code=code, base_url=BASE_URL)

# Resend verification email (5-minute cooldown)
Inkbox.resend_signup_verification(api_key, base_url=BASE_URL)

# Check status and restrictions
status = Inkbox.get_signup_status(api_key, base_url=BASE_URL)
print(status.claim_status)  # "agent_unclaimed" or "agent_claimed"
print(status.restrictions.max_sends_per_day)  # 10 (unclaimed) or 500 (claimed)
