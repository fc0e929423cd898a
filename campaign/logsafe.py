"""Keep personal data out of logs: full ID numbers and mobile numbers are redacted from every
log record (message, arguments, traceback) and from uncaught-exception printouts.

``install()`` wraps the process's log-record factory once, so it holds for every logger and
handler, including ones created later (Streamlit replaces its handlers when it reconfigures).

>>> redact("IntegrityError: (11010519491231002X, '13812345678') 张三")
"IntegrityError: ([身份证号已隐去], '[手机号已隐去]') 张三"
>>> redact("upload:17 rows=4000 at 2026-11-29 12:00:00")
'upload:17 rows=4000 at 2026-11-29 12:00:00'
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from typing import Any

_ID = re.compile(r"(?<![0-9A-Za-z])(?:[1-9]\d{16}[\dXx]|[1-9]\d{14})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
ID_MARK = "[身份证号已隐去]"
PHONE_MARK = "[手机号已隐去]"
_installed = False


def redact(text: str) -> str:
    """The text with every ID-number-like and mobile-number-like run replaced."""
    return _PHONE.sub(PHONE_MARK, _ID.sub(ID_MARK, text))


def _redacting_factory(base: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = base(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep the template, drop the arguments
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    return factory


def install() -> None:
    """Redact personal data from all logging and uncaught exceptions in this process (once)."""
    global _installed
    if _installed:
        return
    _installed = True
    logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))

    def excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not None and args.exc_value is not None:
            excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
