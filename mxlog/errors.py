"""Errors shown to users as one line with a hint, and the exit codes they map to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # the command failed
    USAGE = 2  # bad arguments (typer's own code for usage errors)
    PARTIAL = 3  # ingest finished, but some inputs could not be read
    BUSY = 4  # the database is held by another process
    NO_INPUT = 5  # nothing to read (no such file, empty directory)


class MxlogError(Exception):
    code = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None, code: ExitCode | None = None):
        super().__init__(message)
        self.hint = hint
        if code is not None:
            self.code = code


class DatabaseBusy(MxlogError):
    code = ExitCode.BUSY


class NoInput(MxlogError):
    code = ExitCode.NO_INPUT
