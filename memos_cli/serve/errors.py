"""MemOS error codes. Every error is an HTTP 200 whose `code` says what went wrong (the SDK
retries anything but a 200) and whose `message` says what to fix."""

from __future__ import annotations

BAD_PARAMETERS = 40000
NOT_FOUND = 40001
REQUIRED_EMPTY = 40002
EMPTY_LIST = 40003
WRONG_TYPE = 40006
BAD_FILE_TYPE = 40007
USER_ID_TOO_LONG = 40010
CONVERSATION_ID_TOO_LONG = 40011
KEY_REQUIRED = 40100
KEY_INVALID = 40132
MEMORY_NOT_FOUND = 40307
INTERNAL = 50000
TASK_NOT_FOUND = 50131


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def required(name: str, value: object) -> None:
    if value is None or value == "" or value == []:
        raise ApiError(REQUIRED_EMPTY, f"{name} is required and must not be empty")
