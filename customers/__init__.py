"""Customers: the customer record, purchases, contacts, feedback and referrals."""
