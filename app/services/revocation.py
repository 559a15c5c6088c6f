"""After a leaked SECRET_KEY: every staff session and every worker token issued until now stops working.

A leaked key must leave SECRET_KEY and never become a fallback (anything can be signed with it); this ends
what was signed before the new key took over, including anything a forger was handed back re-signed.
Display and per-booth links are random tokens stored in the database, not signed, so a key leak spares them.
"""

from dataclasses import dataclass

from app.extensions import db
from app.services import audit
from app.services.intake import workers
from app.services.setup import passwords


@dataclass
class SignedOut:
    accounts: int
    workers: int


def sign_out_everyone() -> SignedOut:
    """End every staff session and refuse every worker token issued until now, in every process at once."""
    signed_out = SignedOut(passwords.end_every_session(), workers.revoke_every_token())
    audit.record(None, "security.sign_out_everyone", "deployment", None,
                 {"accounts": signed_out.accounts, "workers": signed_out.workers})
    db.session.commit()  # both UPDATEs and the audit row together
    workers.forget_revocations()
    return signed_out
