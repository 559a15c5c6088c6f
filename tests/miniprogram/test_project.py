"""miniprogram/ opens in WeChat DevTools: every page has its four files, every component path resolves, and
the pages the backend names (the wxacode's, the review message's) exist."""

import json
from pathlib import Path

from app.config import Config

ROOT = Path(__file__).resolve().parents[2] / "miniprogram"
PAGE_FILES = (".js", ".json", ".wxml", ".wxss")


def app_json() -> dict:
    return json.loads((ROOT / "app.json").read_text(encoding="utf-8"))


def component_paths(owner: Path, config: dict) -> list[tuple[str, Path]]:
    """(name, resolved path without extension) for each usingComponents entry of one app/page/component json."""
    resolved = []
    for name, target in config.get("usingComponents", {}).items():
        base = ROOT / target.lstrip("/") if target.startswith("/") else owner.parent / target
        resolved.append((name, base))
    return resolved


def test_every_page_of_app_json_has_its_four_files():
    for page in app_json()["pages"]:
        missing = [page + ext for ext in PAGE_FILES if not (ROOT / (page + ext)).is_file()]
        assert not missing, f"page {page} lacks {missing}"


def test_every_json_file_parses_and_every_used_component_resolves_to_a_component():
    for path in [ROOT / "app.json", *ROOT.glob("pages/**/*.json"), *ROOT.glob("components/**/*.json")]:
        config = json.loads(path.read_text(encoding="utf-8"))
        for name, component in component_paths(path, config):
            assert all(component.with_suffix(ext).is_file() for ext in PAGE_FILES), f"{path}: {name} → {component}"
            assert json.loads(component.with_suffix(".json").read_text(encoding="utf-8")).get("component") is True


def test_the_pages_the_backend_opens_exist():
    pages = app_json()["pages"]
    assert Config(str(ROOT)).WECHAT_ENTRY_PAGE in pages  # the page every 小程序码 opens, with the code as scene
    assert pages[0] == "pages/entry/index"  # and the page a plain 普通链接二维码 (`q`) starts on
    assert "pages/me/index" in pages  # where a review-result subscribe message leads (afterday/review.py)


def test_project_config_names_the_files_devtools_must_not_upload():
    config = json.loads((ROOT / "project.config.json").read_text(encoding="utf-8"))
    ignored = {entry["value"] for entry in config["packOptions"]["ignore"]}
    assert {"tests", "node_modules", "package.json", "package-lock.json"} <= ignored
    assert json.loads((ROOT / "sitemap.json").read_text(encoding="utf-8"))["rules"]
    assert (ROOT / app_json()["sitemapLocation"]).is_file()
