"""Services of the loyalty app: ledger (earning, release, expiry, reversals, adjustments),
rewards, coupons and cashback. Keyword-only, atomic, raising LoyaltyError for the user."""

from loyalty.services.errors import LoyaltyError

__all__ = ["LoyaltyError"]
