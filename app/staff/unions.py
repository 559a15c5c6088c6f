"""The union tree: the district's 镇 / 街道 / 功能区 unions, created, renamed, ordered, retired and imported."""

from app.staff import bp


@bp.get("/unions")
def union_list():
    return "", 404  # placeholder until the union pages land (replaced in this change)
