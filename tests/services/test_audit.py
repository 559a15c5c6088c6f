"""The audit trail reads in Chinese: every action and object the code writes has a label."""

import re
from pathlib import Path

from app.models import AuditLog
from app.services import audit

ROOT = Path(__file__).resolve().parents[2]
# audit.record(user, "action", "target_type", ...) — f-string actions are expanded by hand below.
RECORD_CALL = re.compile(r'record(?:_export)?\(\s*\w+,\s*(?:f?"([\w.{}]+)"|\w+),\s*(?:"(\w+)")?')
EXPANDED = {
    "application.{decision}": ["application.return", "application.reject"],
    "cards.{status.value}": ["cards.issued", "cards.rejected"],
}


def written_by_the_code() -> tuple[set[str], set[str]]:
    actions, targets = set(), set()
    for path in [*ROOT.glob("app/**/*.py"), *ROOT.glob("miniprogram_api/**/*.py")]:
        for action, target in RECORD_CALL.findall(path.read_text(encoding="utf-8")):
            if action:
                actions.update(EXPANDED.get(action, [action]))
            if target:
                targets.add(target)
    return actions, targets


def test_every_action_and_object_the_code_audits_has_a_chinese_label():
    actions, targets = written_by_the_code()
    assert {"pii.reveal", "export.applications", "tally_undo"} <= actions and "export" in targets
    assert actions - set(audit.ACTION_LABELS) == set()
    assert targets - set(audit.TARGET_LABELS) == set()


def test_details_read_as_labelled_lines_with_plain_chinese_values():
    detail = {"meeting_id": 3, "rows": 12, "unmasked": True, "reason": "工作单位不符", "card_ids": [4, 5]}
    entry = AuditLog(action="export.applications", target_type="export", target_id=None, detail=detail)
    line = audit.describe(entry)

    assert (line.action, line.target) == ("导出入会申请", "导出文件")
    assert line.details == [("沟通会", "#3"), ("行数", "12"), ("含完整个人信息", "是"), ("原因", "工作单位不符"),
                            ("服务卡申请编号", "4、5")]
