"""Parser declarations, one module per source. REGISTRY lists them; adding a source touches
its module, this list, its migration, its samples and the README's source table."""

from parsers import smtpd, spamdb
from parsers.base import Derived, Field, Negative, Parser, Pattern, Sample  # noqa: F401

REGISTRY = [smtpd.PARSER, spamdb.SPAMDB]
