"""A real SMTP server in the test process (aiosmtpd), for mail that must really travel."""

import email
import email.policy
import threading

from aiosmtpd.controller import Controller

from tests.servers import free_port


class Sink:
    """Keeps every message it accepts, parsed; refuses all after ``fail_after`` (if set)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.fail_after: int | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.fail_after is not None and len(self.messages) >= self.fail_after:
                return "451 4.3.0 Mail server trouble, try again later"
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"

    def to(self, address: str) -> list:
        return [message for message in self.messages if message["To"] == address]


def start_sink() -> tuple[Sink, Controller]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    return sink, controller


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
