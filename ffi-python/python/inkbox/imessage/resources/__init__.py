from inkbox.imessage.resources.contact_rules import IMessageContactRulesResource
from inkbox.imessage.resources.imessages import IMessagesResource

__all__ = ["IMessageContactRulesResource", "IMessagesResource"]
