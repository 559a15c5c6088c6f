"""The city federation's 《工会会员登记表》 import template: its columns and its numeric code lists.

One place for the mapping (documented in docs/member_register.md). The join form stores the Chinese
label itself (app/services/form_options.py); the template wants a number for each coded column.
A label the code list does not know is exported as an empty cell rather than a wrong number.
"""

from datetime import date

from app.models import MembershipApplication
from app.services import privacy
from app.services.local_time import in_shanghai

GENDER_CODES = {"男": 1, "女": 2}
HUKOU_CODES = {"本市城镇": 1, "本市农业": 2, "外埠城镇": 3, "外埠农业": 4}
EDUCATION_CODES = {
    "小学及以下": 1, "初中": 2, "高中": 3, "中专/技校": 4, "大专": 5, "本科": 6, "硕士研究生": 7, "博士研究生": 8,
}
POLITICAL_CODES = {"中共党员": 1, "中共预备党员": 2, "共青团员": 3, "民主党派": 4, "无党派人士": 5, "群众": 6}
EMPLOYMENT_CODES = {"在岗": 1, "灵活就业": 2, "失业": 3, "其他": 9}
SKILL_CODES = {"无": 0, "初级工": 1, "中级工": 2, "高级工": 3, "技师": 4, "高级技师": 5}
NEW_FORM_JOB_CODES = {"否": 0, "货车司机": 1, "网约车司机": 2, "快递员": 3, "外卖配送员": 4, "其他新就业形态": 5}
# GB/T 4754 sections A–T, numbered 1–20 in the template.
INDUSTRY_CODES = {
    label: number
    for number, label in enumerate(
        [
            "农、林、牧、渔业", "采矿业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业", "批发和零售业",
            "交通运输、仓储和邮政业", "住宿和餐饮业", "信息传输、软件和信息技术服务业", "金融业", "房地产业",
            "租赁和商务服务业", "科学研究和技术服务业", "水利、环境和公共设施管理业",
            "居民服务、修理和其他服务业", "教育", "卫生和社会工作", "文化、体育和娱乐业",
            "公共管理、社会保障和社会组织", "其他",
        ],
        start=1,
    )
}
YES_NO_CODES = {True: 1, False: 0}

COLUMNS = [
    "序号", "姓名", "性别", "公民身份号码", "出生日期", "手机号码", "户籍类型", "是否外地来京务工", "学历",
    "政治面貌", "就业状态", "技能等级", "新就业形态劳动者类型", "工作单位", "统一社会信用代码", "所属行业",
    "现居住地", "身份证有效期限", "入会日期", "会员编号", "所属工会",
]


def register_row(number: int, application: MembershipApplication) -> list:
    """One template row for an approved member, PII in full (the federation registers real people)."""
    identity = privacy.identity_of(application, full=True)
    return [
        number,
        identity.name,
        GENDER_CODES.get(application.gender),
        identity.id_number,
        iso(application.birth_date),
        identity.mobile,
        HUKOU_CODES.get(application.hukou_type),
        YES_NO_CODES.get(application.is_migrant_worker),
        EDUCATION_CODES.get(application.education),
        POLITICAL_CODES.get(application.political_status),
        EMPLOYMENT_CODES.get(application.employment_status),
        SKILL_CODES.get(application.skill_level),
        NEW_FORM_JOB_CODES.get(application.new_form_job),
        application.employer or "",
        application.employer_credit_code or "",
        INDUSTRY_CODES.get(application.industry),
        application.residence or "",
        "长期" if application.id_valid_long_term else iso(application.id_valid_until),
        iso(in_shanghai(application.decided_at).date()) if application.decided_at else "",
        application.member_no or "",
        application.host_org.name,
    ]


def iso(day: date | None) -> str:
    return day.isoformat() if day else ""
