// The correction contract (started by tests/miniprogram/test_correction_contract.py against a real server): a
// returned application is corrected, the server takes the PATCH but its answer never reaches the phone, and the
// API client's retry of the same correction is answered as success — not 409 not_returned (issue 24 item 2).
// Run alone: API_BASE_URL=... LOGIN_CODE=... APPLICATION_ID=... EMPLOYER=... node --test <this file>
const test = require('node:test')
const assert = require('node:assert/strict')
const { createPhone } = require('./http-wx')
const platform = require('../../platform/wx')
const { createApi } = require('../../api/client')

const { API_BASE_URL, LOGIN_CODE, APPLICATION_ID, EMPLOYER } = process.env

// A weak signal at a booth: the first PATCH reaches the server, which answers, but the answer is lost.
function losingTheFirstCorrectionAnswer(phone) {
  const send = phone.wx.request
  const lost = []
  phone.wx.request = (options) => {
    if (options.method !== 'PATCH' || lost.length) return send(options)
    lost.push(options.data)
    return send({ ...options, success: () => options.fail({ errMsg: 'request:fail timeout' }) })
  }
  return lost
}

test('a correction whose answer was lost is retried and answered as done', async () => {
  const phone = createPhone({ loginCode: LOGIN_CODE })
  const lost = losingTheFirstCorrectionAnswer(phone)
  global.wx = phone.wx
  const api = createApi(platform, API_BASE_URL, { retryDelays: [200, 500] })

  const corrected = await api.resubmit(Number(APPLICATION_ID), { employer: EMPLOYER })
  assert.equal(lost.length, 1, 'the first answer was lost')
  assert.equal(corrected.status, 'submitted')
  assert.equal(corrected.employer, EMPLOYER)
  const mine = (await api.me()).membership_applications.find((a) => a.id === Number(APPLICATION_ID))
  assert.equal(mine.status, 'submitted')
})
