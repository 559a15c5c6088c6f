"""Staff accounts in the web: the list, create, edit, reset, (de)activate, bulk booth accounts, one's own password."""

from app.staff import bp


@bp.get("/accounts")
def account_list():
    return "", 404  # placeholder until the account pages land (replaced in this change)
