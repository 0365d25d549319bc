"""managedFields and server-side apply (structured-merge-diff's rules, for the kinds the cluster serves)."""

from .apply import apply
from .managed import APPLY, UPDATE, Manager, record_update

__all__ = ["APPLY", "UPDATE", "Manager", "apply", "record_update"]
