// My applications as the server tells them: status in words, who reviews and how long, the member number,
// a return reason, the 互助服务卡 and whether I may still apply for it; and, read-only, those recovered onto
// another phone (已转到其他手机), so a move nobody here made is noticed.
const platform = require('../../platform/wx')
const currentApi = require('../../api/index')
const env = require('../../config/env')
const { errorText } = require('../../utils/messages')
const { rememberedEntryCode } = require('../../utils/visit')
const { beijingTime } = require('../../utils/time')

Component({
  data: {
    state: 'loading', message: '', applications: [], cards: [], moved: [], cardEligibility: null,
    justSubmitted: false, canApplyForCard: false,
  },
  methods: {
    onLoad(options) {
      this.setData({ justSubmitted: Boolean(options && options.submitted) && Boolean(env.REVIEW_TEMPLATE_ID) })
      return this.refresh()
    },
    // Back from 修改后重新提交 or 找回我的申请 (pages above this one): what changed there shows here. The first
    // show follows onLoad, which has just asked.
    onShow() {
      if (!this.shownBefore) {
        this.shownBefore = true
        return null
      }
      return this.refresh()
    },
    async refresh() {
      try {
        const me = await currentApi().me()
        this.setData({
          state: 'ready',
          applications: me.membership_applications,
          cards: me.card_applications,
          moved: (me.moved_applications || []).map((line) => Object.assign({ movedOn: beijingTime(line.moved_at) }, line)),
          cardEligibility: me.card_eligibility,
          // The card is applied for at the meeting whose code was scanned on this phone.
          canApplyForCard: Boolean(me.card_eligibility && me.card_eligibility.available && rememberedEntryCode(platform.storage)),
        })
      } catch (error) {
        this.setData({ state: 'error', message: errorText(error) })
      }
    },
    // WeChat allows the request only from the worker's own tap, so it is a button after submitting.
    async subscribe() {
      const answer = await platform.requestSubscribeMessage([env.REVIEW_TEMPLATE_ID]).catch(() => ({}))
      const accepted = answer[env.REVIEW_TEMPLATE_ID] === 'accept'
      this.setData({ justSubmitted: false })
      platform.toast(accepted ? '审核结果出来后会通过微信通知你' : '未开启通知，可随时在本页查看进度')
    },
    copyMemberNo(event) {
      platform.copy(event.currentTarget.dataset.memberNo).catch(() => null)
    },
    applyForCard() { platform.navigateTo(`/pages/card/index?code=${rememberedEntryCode(platform.storage)}`) },
    correct(event) { platform.navigateTo(`/pages/correct/index?id=${event.currentTarget.dataset.id}`) },
    recover() { platform.navigateTo('/pages/recover/index') },
    scan() { platform.redirectTo('/pages/entry/index') },
  },
})
