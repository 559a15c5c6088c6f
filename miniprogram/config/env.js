// Where the backend is, per mini-program version (wx.getAccountInfoSync().miniProgram.envVersion).
// develop = WeChat DevTools against `make run` on this computer (tick 「不校验合法域名」 in DevTools);
// trial / release = the union's server, whose https domain is the request合法域名 set in mp.weixin.qq.com.
// README「微信小程序」 says what to set here before uploading.
//
// DEVELOP_HOST: 127.0.0.1 is right only in DevTools' simulator. On 真机预览 / 真机调试 the code runs on the
// phone, where 127.0.0.1 is the phone itself: put this computer's LAN address here (e.g. '192.168.1.20:8000',
// same Wi-Fi as the phone) and start the server on it with `BIND=0.0.0.0:8000 make run`.
const DEVELOP_HOST = '127.0.0.1:8000'

const API_BASE_URLS = {
  develop: `http://${DEVELOP_HOST}/mp/v1`,
  trial: 'https://intake.example.cn/mp/v1',
  release: 'https://intake.example.cn/mp/v1',
}

// The subscribe-message template for the review result; the same id as the backend's WECHAT_REVIEW_TEMPLATE_ID.
// Empty: the worker is not asked to subscribe.
const REVIEW_TEMPLATE_ID = ''

function apiBaseUrl(envVersion) {
  return API_BASE_URLS[envVersion] || API_BASE_URLS.release
}

module.exports = { apiBaseUrl, REVIEW_TEMPLATE_ID }
