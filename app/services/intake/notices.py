"""What a worker reads before agreeing: the 个人信息保护说明 and the 办卡须知, from the deployment's settings.

Both are served to the H5 page and the mini-program (/mp/v1/privacy-notice, /mp/v1/card-info). A
deployment may replace the sections with a JSON file ({"title": ..., "sections": [{"heading", "body"}]},
PRIVACY_NOTICE_FILE / CARD_INFO_FILE); the defaults describe Beijing practice.
"""

import json
from pathlib import Path

from flask import current_app

from app.services.intake import cards
from app.services.intake.form_options import CONSENT_VERSION


def privacy_notice() -> dict:
    """The 个人信息保护说明 with the consent text's version and whom to ask."""
    config = current_app.config
    notice = from_file(config["PRIVACY_NOTICE_FILE"]) or {
        "title": "个人信息保护说明", "sections": default_privacy_sections(config)
    }
    return {**notice, "version": CONSENT_VERSION, "contact": config["PRIVACY_CONTACT"]}


def card_info() -> dict:
    """The 办卡须知 of 互助服务卡 (京卡)."""
    return from_file(current_app.config["CARD_INFO_FILE"]) or {
        "title": "互助服务卡（京卡）办卡须知", "sections": default_card_sections()
    }


def from_file(path: str | None) -> dict | None:
    if not path:
        return None
    content = json.loads(Path(path).read_text(encoding="utf-8"))
    return {"title": content["title"], "sections": content["sections"]}


def days_in_words(days: int) -> str:
    """180 → 「180天（约6个月）」: a period a worker can picture."""
    if days % 365 == 0:
        return f"{days}天（{days // 365}年）"
    if days >= 60:
        return f"{days}天（约{round(days / 30)}个月）"
    return f"{days}天"


def section(heading: str, body: str) -> dict:
    return {"heading": heading, "body": body}


def default_privacy_sections(config) -> list[dict]:
    retention = days_in_words(config["RETENTION_DAYS"])
    district = config["DISTRICT_UNION_NAME"]
    return [
        section(
            "我们收集哪些信息",
            "姓名、身份证号（由它得出性别和出生日期）、手机号、工作单位、所属行业、是否新就业形态劳动者；"
            "您自愿填写的统一社会信用代码、户籍类型、学历、政治面貌、就业状态、技能等级、现居住地、是否外地来京务工、"
            "身份证有效期限；申领互助服务卡时另有领卡方式和银行网点。"),
        section(
            "为什么收集",
            "办理入会登记（《工会会员登记表》）、审核并发放会员编号、通知您审核结果；申领互助服务卡时，"
            "把办卡所需信息报送北京银行制卡；统计沟通会的入会人数（统计只用数字，不含您的身份）。"),
        section(
            "谁能看到",
            f"审核您申请的镇街总工会和{district}的工作人员；申领互助服务卡时，北京银行取得办卡所需的信息。"
            "工作人员的列表和导出只显示遮盖后的姓名、身份证号和手机号，查看完整信息会记入审计日志。"),
        section(
            "保存多久",
            "姓名、身份证号和手机号加密保存。未通过或已撤回的申请，在结束后"
            f"{retention}删除姓名、身份证号、手机号、工作单位和您填写的其他内容，以及工作人员写下的审核原因，"
            "只留下不含身份的统计数字；已入会会员的登记信息按工会会员管理的要求保存。"),
        section(
            "您的手机上保存什么",
            # The mini-program's draft (miniprogram/utils/draft.js, DRAFT_MAX_AGE_MS): change both together.
            "小程序会在您的手机上暂存还没提交成功的入会表单（姓名、身份证号、手机号、工作单位等），"
            "以便断网或小程序被关闭后接着填写；提交成功，或得知该身份证号已有申请、已是会员时立即删除，"
            "最长保存24小时。小程序另存登录凭据和最近一次扫码的会场信息（其中您的申请只显示遮盖后的姓名、"
            "身份证号和手机号）。网页版不在手机上保存填写的内容，只保存登录凭据。"),
        section(
            "撤回和删除",
            "审核前，您可以在申请页面点「撤回申请」；撤回后个人信息按上面的期限删除。"
            "需要更正、删除或查询您的个人信息，请联系下面的联系人。"),
    ]


CARD_FREE = "办卡免费，免收工本费和年费。"
CARD_COLLECTED = "现场办理的，制卡完成后工会通知您领取；选银行网点的，凭本人身份证到所选网点领取并激活。"


def card_age_words() -> str:
    age_rule = cards.age_rule_words()
    return f"办理时{age_rule}（按身份证号中的出生日期计算）。" if age_rule else "不限年龄。"


def card_key_points() -> list[str]:
    """The 办卡须知 in three lines beside the card's consent box: what it costs, the age rule, where to collect it."""
    return [CARD_FREE, card_age_words(), CARD_COLLECTED]


def default_card_sections() -> list[dict]:
    return [
        section(
            "什么是互助服务卡",
            "互助服务卡即北京市总工会会员服务卡（京卡），由北京银行发行，是工会会员享受普惠服务和"
            "职工互助保障的凭证，同时是一张北京银行借记卡。"),
        section(
            "谁可以办理",
            "已提交入会申请或已是工会会员的职工，每人限办一张；已有京卡的不必重复办理。"),
        section("年龄要求", card_age_words()),
        section(
            "在哪里领、什么时候领",
            "选「现场办理」：由沟通会的互助服务卡岗位收齐后报送银行，制卡完成后工会通知您领取。"
            "选「到银行网点领取」：制卡完成后凭本人身份证到所选北京银行网点领取并激活。"),
        section("费用", CARD_FREE),
    ]
