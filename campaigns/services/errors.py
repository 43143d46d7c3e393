"""The campaigns app's own exception: a change the user asked for that cannot be made."""


class CampaignError(Exception):
    """The message is for the user."""
