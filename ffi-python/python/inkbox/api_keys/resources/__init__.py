from inkbox.api_keys.resources.api_keys import ApiKeysResource

__all__ = ["ApiKeysResource"]
