"""A real SMTP server on loopback for the tests: aiosmtpd storing every message in a Maildir.

usage: python3 scripts/smtp-sink.py PORT MAILDIR
"""
import sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

port, maildir = int(sys.argv[1]), sys.argv[2]
controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port)
controller.start()
print(f"smtp sink on 127.0.0.1:{port} -> {maildir}", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
