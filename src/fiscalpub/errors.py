"""Typed errors.  Findings about the *source* are data (model.Finding), not exceptions."""


class FiscalpubError(Exception):
    """Base class of every error fiscalpub raises on purpose."""


class UnreadableInput(FiscalpubError):
    """The input file cannot be read as a report (missing, empty, binary, wrong encoding)."""


class NotAReport(FiscalpubError):
    """The input is readable text but not a 部门预算/部门决算 report."""


class RegistryError(FiscalpubError):
    """The table registry (tables.yaml) is malformed."""


class BadCanonical(FiscalpubError):
    """A file given as the canonical JSON of `fiscalpub parse` is not one."""


class NoIdentity(FiscalpubError):
    """The report does not say who issued it (no department, or a template's placeholder):
    a package cannot be named after nobody."""


class SeveralReports(FiscalpubError):
    """A file (or the files of one report) holds more than one report."""
