"""Errors users can act on. Each carries a code they can search for and an exit status.

    AidtraceError (exit 1)
    ├── ConfigError            [A001] bad settings file, env var or option (exit 2)
    ├── DataFileError          [A002] an ontology data file failed validation (exit 2)
    ├── InputError             [A010] one input item cannot be read (recorded in the ledger)
    │   ├── EmptyInputError    [A011]
    │   ├── BinaryInputError   [A012]
    │   ├── TooLargeError      [A013]
    │   ├── EncodingError      [A014]
    │   ├── MalformedError     [A015] bad JSONL/CSV row, broken HTML/WARC record, bad header
    │   ├── FetchError         [A016] unreachable, slow or non-HTML URL
    │   └── RejectedInputsError [A017] --strict and some inputs were rejected (exit 4)
    ├── StoreError             [A020] the database cannot be opened or written
    ├── NotFoundError          [A030] an id the user asked for does not exist (exit 3)
    ├── ReviewError            [A050] a review that cannot be applied (empty edit, bad span)
    ├── WorkerError            [A040] a parallel-ingest worker lost a whole shard (rerun resumes)
    └── ServeError             [A060] `aidtrace serve` cannot listen on its address (in use, unknown)
"""
from __future__ import annotations


class AidtraceError(Exception):
    code = "A000"
    exit_code = 1

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class ConfigError(AidtraceError):
    code = "A001"
    exit_code = 2


class DataFileError(AidtraceError):
    code = "A002"
    exit_code = 2


class InputError(AidtraceError):
    code = "A010"

    @property
    def reason(self) -> str:
        """The ledger's reason text: the code and message, without the class name."""
        return str(self)


class EmptyInputError(InputError):
    code = "A011"


class BinaryInputError(InputError):
    code = "A012"


class TooLargeError(InputError):
    code = "A013"


class EncodingError(InputError):
    code = "A014"


class MalformedError(InputError):
    code = "A015"


class FetchError(InputError):
    code = "A016"


class RejectedInputsError(InputError):
    """Raised after a ``--strict`` ingest has stored what it could: the batch still ran."""

    code = "A017"
    exit_code = 4


class StoreError(AidtraceError):
    code = "A020"


class NotFoundError(AidtraceError):
    code = "A030"
    exit_code = 3


class ReviewError(AidtraceError):
    """A review the store refuses: nothing to change, an evidence span outside the article."""

    code = "A050"
    exit_code = 2


class WorkerError(AidtraceError):
    """A worker of ``ingest --workers/--dask`` failed on a whole shard (crashed, killed,
    unreachable). Shards before it are stored; running the same command again resumes."""

    code = "A040"


class ServeError(AidtraceError):
    """The server cannot take its address: another process holds the port, the host name
    does not resolve, or the address is not this machine's. Nothing has been opened yet."""

    code = "A060"
