"""The choices of the join form, in the wording of the city federation's 《工会会员登记表》.

The stored value is the Chinese label itself, so a row reads the same in review, exports and the API.
"""

INDUSTRIES = [
    "农、林、牧、渔业", "采矿业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业", "批发和零售业",
    "交通运输、仓储和邮政业", "住宿和餐饮业", "信息传输、软件和信息技术服务业", "金融业", "房地产业",
    "租赁和商务服务业", "科学研究和技术服务业", "水利、环境和公共设施管理业", "居民服务、修理和其他服务业",
    "教育", "卫生和社会工作", "文化、体育和娱乐业", "公共管理、社会保障和社会组织", "其他",
]
HUKOU_TYPES = ["本市城镇", "本市农业", "外埠城镇", "外埠农业"]
NEW_FORM_JOBS = ["货车司机", "网约车司机", "快递员", "外卖配送员", "其他新就业形态", "否"]
EDUCATION_LEVELS = ["小学及以下", "初中", "高中", "中专/技校", "大专", "本科", "硕士研究生", "博士研究生"]
POLITICAL_STATUSES = ["中共党员", "中共预备党员", "共青团员", "民主党派", "无党派人士", "群众"]
EMPLOYMENT_STATUSES = ["在岗", "灵活就业", "失业", "其他"]
SKILL_LEVELS = ["无", "初级工", "中级工", "高级工", "技师", "高级技师"]
# The join form's fields by request name, as the form labels them (a reviewer flags these when returning).
FIELD_LABELS = {
    "name": "姓名", "id_number": "身份证号", "mobile": "手机号", "employer": "工作单位",
    "industry": "所属行业", "new_form_job": "是否新就业形态劳动者", "employer_credit_code": "单位统一社会信用代码",
    "hukou_type": "户籍类型", "education": "学历", "political_status": "政治面貌", "employment_status": "就业状态",
    "skill_level": "技能等级", "residence": "现居住地", "is_migrant_worker": "是否外地来京务工",
    "id_valid_until": "身份证有效期至",
}
CARD_DELIVERIES = {"onsite": "现场办理", "branch": "到银行网点领取"}
# 北京银行 branches near the Shunyi venues; a worker may also type another.
CARD_BRANCHES = ["北京银行顺义支行", "北京银行仁和支行", "北京银行后沙峪支行", "北京银行天竺支行", "北京银行杨镇支行"]

CHOICES = {
    "industry": INDUSTRIES,
    "hukou_type": HUKOU_TYPES,
    "new_form_job": NEW_FORM_JOBS,
    "education": EDUCATION_LEVELS,
    "political_status": POLITICAL_STATUSES,
    "employment_status": EMPLOYMENT_STATUSES,
    "skill_level": SKILL_LEVELS,
}

# Names what a worker agreed to: this text and the default 个人信息保护说明 (notices.py) together, so a change
# to either gets a new version. 2026-12: the notice says what the phone keeps (a draft, 24 h at most) and that
# the purge deletes every field and the reviewers' reasons too.
CONSENT_VERSION = "2026-12"
CONSENT_TEXT = (
    "本人自愿加入中华全国总工会，承认《中国工会章程》，履行会员义务。本人同意工会为办理入会及会员服务"
    "收集并使用上述个人信息（姓名、身份证号、手机号等），仅用于会员登记和服务，依法加密保存。"
)


def form_options() -> dict:
    """Everything a client needs to draw the join and card forms."""
    return {
        **CHOICES,
        "card_delivery": [{"value": value, "label": label} for value, label in CARD_DELIVERIES.items()],
        "card_branches": CARD_BRANCHES,
        "consent_version": CONSENT_VERSION,
        "consent_text": CONSENT_TEXT,
    }
