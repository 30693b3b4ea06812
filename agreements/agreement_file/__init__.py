"""Reading and checking agreement data files."""

from .schema1 import *  # noqa: F403
from .schema1 import AgreementFile, AgreementFileError, read_agreement_file  # noqa: F401
