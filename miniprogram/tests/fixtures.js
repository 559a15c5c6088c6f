// API answers shaped as docs/mp_api.md and /mp/v1/openapi.json give them.

const FORM_OPTIONS = {
  industry: ['制造业', '交通运输、仓储和邮政业', '其他'],
  hukou_type: ['本市城镇', '本市农业', '外埠城镇', '外埠农业'],
  new_form_job: ['快递员', '网约配送员', '网约车驾驶员', '货车司机', '其他', '否'],
  education: ['初中及以下', '高中', '大学专科', '大学本科'],
  political_status: ['中共党员', '共青团员', '群众'],
  employment_status: ['在岗', '灵活就业'],
  skill_level: ['无', '初级工', '中级工'],
  card_delivery: [{ value: 'onsite', label: '现场办理' }, { value: 'branch', label: '到银行网点领取' }],
  card_branches: ['北京银行顺义支行', '北京银行仁和支行'],
  consent_version: '2026-11',
  consent_text: '本人自愿加入中华全国总工会，承认《中国工会章程》，履行会员义务。',
}

function entry(overrides = {}) {
  return Object.assign({
    entry_code: 'Abc123_-xyz',
    meeting: { id: 1, title: '顺义区2026年冬季职工沟通会', held_on: '2026-12-01', status: 'open' },
    venue: { id: 1, role: 'main', role_label: '主会场', place_name: '仁和镇文体中心', address: '顺义区仁和镇', host_org_name: '仁和镇' },
    booth: { id: 1, kind: 'join', kind_label: '入会岗', name: '入会岗一号' },
    actions: ['join'],
    form_options: FORM_OPTIONS,
    membership: null,
    card: null,
  }, overrides)
}

function application(overrides = {}) {
  return Object.assign({
    id: 7, status: 'submitted', status_label: '待审核', status_text: '已提交，等待仁和镇工会审核',
    name: '王*', id_number: '110113********1239', mobile: '139****5678', gender: '男',
    employer: '北京顺义物流有限公司', industry: '交通运输、仓储和邮政业', new_form_job: '快递员',
    meeting_title: '顺义区2026年冬季职工沟通会', venue_name: '仁和镇文体中心', host_org_name: '仁和镇',
    submitted_at: '2026-12-01T06:05:00+00:00', decision_reason: null, member_no: null,
    return_reason: null, returned_fields: [], reviewing_org: { name: '仁和镇工会' }, review_days: 5,
  }, overrides)
}

const SESSION = { token: 'token-1', expires_in: 604800, worker: { id: 1, kind: 'dev', phone: null } }

module.exports = { FORM_OPTIONS, entry, application, SESSION }
