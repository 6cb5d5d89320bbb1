"""Login by one-time code: where the code goes (a phone or an email), the code, and help
when it does not arrive."""

from __future__ import annotations

from handlers.login import code, destination
from handlers.login.flow import in_flow, router

__all__ = ["code", "destination", "in_flow", "router"]
