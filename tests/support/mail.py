"""A real SMTP server (aiosmtpd) on a loopback port, and helpers to read what it received."""
import email
import email.policy
import re
import socket
import threading
import time

from aiosmtpd.controller import Controller

URL_RE = re.compile(r"https?://[^\s<>\"]+")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Every message the test SMTP server has received since the last clear()."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refused"):  # a mailbox the server turns away (the others still go)
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list:
        """Messages sent to `address`, oldest first."""
        return [m for m in self.messages if address.lower() in m["X-Envelope-To"].lower()]

    def last(self, address: str, timeout: float = 5.0):
        """The newest message to `address`, waiting briefly for one to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no e-mail to {address}; got {[m['To'] for m in self.messages]}")

    @staticmethod
    def body(message) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content().replace("\r\n", "\n") if part is not None else ""

    def links(self, message) -> list[str]:
        return URL_RE.findall(self.body(message))

    def link(self, message, containing: str) -> str:
        """The first link in a message whose URL contains `containing`."""
        for url in self.links(message):
            if containing in url:
                return url
        raise AssertionError(f"no link containing {containing!r} in:\n{self.body(message)}")


class SMTPServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = None

    def start(self):
        """Start, or start again after stop() (a mail outage), on the same port with the same inbox."""
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()
