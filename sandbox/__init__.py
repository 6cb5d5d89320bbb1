"""The sandbox: the whole bot in a local web page, with no token and no network.

``python -m bot sandbox`` runs :func:`run_sandbox`; tests use :class:`Sandbox`.
"""

from sandbox.runner import Sandbox, SandboxError, run_sandbox

__all__ = ["Sandbox", "SandboxError", "run_sandbox"]
