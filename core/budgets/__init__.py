"""Vendor budgets shared by every run and worker of a vendor account (see registry.py)."""

from core.budgets.accounts import account_key, daily_allowance, daily_cap, daily_share
from core.budgets.registry import AccountInfo, Budgets, ConnectionBudget, budget_views

__all__ = [
    "AccountInfo",
    "Budgets",
    "ConnectionBudget",
    "account_key",
    "budget_views",
    "daily_allowance",
    "daily_cap",
    "daily_share",
]
