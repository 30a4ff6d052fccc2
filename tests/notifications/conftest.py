"""Real receivers on the loopback: an HTTP server standing in for the 钉钉/企业微信/飞书 robot endpoints, and an
SMTP sink that Django's SMTP backend talks to. Both run in threads on 127.0.0.1 with a port the OS picks."""

from __future__ import annotations

import datetime
import email
import email.policy
import json
import socketserver
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Post:
    path: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    url: str
    posts: list[Post] = field(default_factory=list)
    # Status codes to answer, in order (then 200): a 500 makes the sender try again later.
    failures: list[int] = field(default_factory=list)
    # Whole answers to give first, in order (status, JSON body, headers): a platform's "too many", say.
    # A post so answered was not taken: it is kept in `refused`, not in `posts`.
    answers: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    refused: list[Post] = field(default_factory=list)

    def at(self, path: str) -> list[Post]:
        return [p for p in self.posts if p.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  (http.server's name)
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            parsed = urllib.parse.urlsplit(self.path)
            headers: dict[str, str] = {}
            with lock:
                query = dict(urllib.parse.parse_qsl(parsed.query))
                post = Post(parsed.path, query, json.loads(raw.decode("utf-8")))
                if state.answers:
                    status, answer, headers = state.answers.pop(0)
                    state.refused.append(post)
                else:
                    status = state.failures.pop(0) if state.failures else 200
                    if status == 200:
                        state.posts.append(post)
                    answer = (
                        {"code": 0, "msg": "success"}
                        if "feishu" in parsed.path
                        else {"errcode": 0, "errmsg": "ok"}
                    )
                    answer = answer if status == 200 else {}
            payload = json.dumps(answer).encode() if answer else b"server error"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


@dataclass
class Sink:
    host: str
    port: int
    mails: list[Mail] = field(default_factory=list)


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    sink: Sink

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        sender, recipients = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip().split(" ")[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                self.sink.mails.append(Mail(sender, recipients, message))  # type: ignore[arg-type]
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    sink = Sink("127.0.0.1", 0)
    handler = type("Handler", (_SMTPHandler,), {"sink": sink})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    sink.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "zhaoshang@example.test"
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def world(db: Any, as_test_actor: Any, settings: Any) -> dict[str, Any]:
    """Two districts the demo leaves empty (张店, 博山), each with a department, its clerk, an admin who may
    verify, and a project officer; the runs in these tests cover only these two districts."""
    from zhaoshang.core.factories import (
        DepartmentFactory,
        DistrictFactory,
        RoleAssignmentFactory,
        RoleFactory,
        UserFactory,
        UserProfileFactory,
    )
    from zhaoshang.projects.factories import ProjectFactory

    settings.ZHAOSHANG_NOTIFY_DIGEST_HOUR = 0
    settings.ZHAOSHANG_NOTIFY_RETRY_SECONDS = 300
    settings.ZHAOSHANG_NOTIFY_MAX_ATTEMPTS = 3
    verify = RoleFactory(code="notify_admin", actions=["view", "add", "change", "delete", "verify", "export"])
    clerk = RoleFactory(code="notify_clerk", actions=["view", "change"])
    world: dict[str, Any] = {}
    for key, adcode in (("a", "370303"), ("b", "370304")):
        district = DistrictFactory(adcode=adcode)
        department = DepartmentFactory(district=district, name=f"自然资源局{key}")
        people = {}
        for role, name in ((clerk, "clerk"), (clerk, "officer"), (verify, "admin")):
            user = UserFactory(username=f"notify_{key}_{name}", email=f"{name}.{key}@example.test")
            RoleAssignmentFactory(user=user, role=role, districts=[district])
            UserProfileFactory(
                user=user, district=district, department=department if name == "clerk" else None
            )
            people[name] = user
        # Signed a month ago: no red or yellow card of its own (those are tested on purpose).
        project = ProjectFactory(
            district=district,
            name=f"测试项目{key}",
            officer=people["officer"],
            signed_date=datetime.date(2026, 11, 9),
        )
        world[key] = {"district": district, "department": department, "project": project, **people}
    world["today"] = datetime.date(2026, 12, 7)
    return world
