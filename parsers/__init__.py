"""Parser declarations, one module per source. REGISTRY lists them; adding a source touches
its module, this list, its migration, its samples and the README's source table."""

from parsers import bgpd, dkimproxy, dovecot, smtpd, spamd, spamdb, spampd
from parsers.base import Derived, Field, Negative, Parser, Pattern, Sample  # noqa: F401

REGISTRY = [
    smtpd.PARSER,
    spamd.SPAMD,
    spamd.SPAMLOGD,
    spamdb.SPAMDB,
    spampd.SPAMPD,
    dkimproxy.DKIMPROXY,
    dovecot.DOVECOT,
    bgpd.BGPD,
]
