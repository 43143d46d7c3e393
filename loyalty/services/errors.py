"""The loyalty app's error for the user."""


class LoyaltyError(Exception):
    """A change the user asked for that cannot be made; the message is for the user."""
