"""The bot's real peers on loopback; they live in the sandbox package now."""

from sandbox.peers import SmsEndpoint, SmtpInbox

__all__ = ["SmsEndpoint", "SmtpInbox"]
