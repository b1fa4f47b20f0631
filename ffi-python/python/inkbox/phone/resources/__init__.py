from inkbox.phone.resources.calls import CallsResource
from inkbox.phone.resources.contact_rules import PhoneContactRulesResource
from inkbox.phone.resources.numbers import PhoneNumbersResource
from inkbox.phone.resources.sms_opt_ins import SmsOptInsResource
from inkbox.phone.resources.texts import TextsResource
from inkbox.phone.resources.transcripts import TranscriptsResource

__all__ = ["CallsResource", "PhoneContactRulesResource", "PhoneNumbersResource", "SmsOptInsResource", "TextsResource", "TranscriptsResource"]
