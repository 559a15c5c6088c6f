// The one module that touches the `wx` global. Everything else receives these promise-returning functions,
// so the API client, the form rules and the page logic run unchanged in Node (tests, the contract run).
/* global wx */

function call(name, options) {
  return new Promise((resolve, reject) => {
    wx[name](Object.assign({}, options, { success: resolve, fail: reject }))
  })
}

function parsedJson(text) {
  try {
    return JSON.parse(text)
  } catch (notJson) {
    return {}
  }
}

const storage = {
  get: (key) => wx.getStorageSync(key) || null,
  set: (key, value) => wx.setStorageSync(key, value),
  remove: (key) => wx.removeStorageSync(key),
}

module.exports = {
  storage,
  envVersion: () => wx.getAccountInfoSync().miniProgram.envVersion,
  login: () => call('login', { timeout: 10000 }).then((answer) => answer.code),
  // Resolves for every HTTP status; rejects only when no answer came (offline, timeout, DNS).
  request: ({ url, method, data, header }) =>
    call('request', { url, method, data, header, timeout: 15000 })
      .then((answer) => ({ statusCode: answer.statusCode, data: answer.data, header: answer.header })),
  // wx.uploadFile answers its body as a string, whatever the content type (a proxy's 413 page is HTML).
  uploadFile: ({ url, filePath, name, header }) =>
    call('uploadFile', { url, filePath, name, header, timeout: 30000 })
      .then((answer) => ({ statusCode: answer.statusCode, data: parsedJson(answer.data), header: {} })),
  chooseImage: (sourceType) =>
    call('chooseMedia', { count: 1, mediaType: ['image'], sourceType: [sourceType], sizeType: ['compressed'] })
      .then((answer) => answer.tempFiles[0]),
  // A smaller JPEG of the photo (quality 0-100), for one over the server's size limit.
  compressImage: (src, quality) => call('compressImage', { src, quality }).then((answer) => answer.tempFilePath),
  fileSize: (filePath) => new Promise((resolve, reject) => {
    wx.getFileSystemManager().getFileInfo({ filePath, success: (answer) => resolve(answer.size), fail: reject })
  }),
  scanCode: () => call('scanCode', { scanType: ['wxCode', 'qrCode'] }),
  requestSubscribeMessage: (tmplIds) => call('requestSubscribeMessage', { tmplIds }),
  copy: (data) => call('setClipboardData', { data }),
  onNeedPrivacyAuthorization: (listener) => {
    // Base library 2.32.3+; older ones ask no privacy consent and simply go on.
    if (wx.onNeedPrivacyAuthorization) wx.onNeedPrivacyAuthorization(listener)
  },
  openPrivacyContract: () => call('openPrivacyContract', {}),
  navigateTo: (url) => call('navigateTo', { url }),
  redirectTo: (url) => call('redirectTo', { url }),
  toast: (title) => wx.showToast({ title, icon: 'none', duration: 2500 }),
  // A yes/no question; resolves true when the confirm button was tapped.
  confirm: ({ title, content, confirmText }) =>
    call('showModal', { title, content, confirmText }).then((answer) => answer.confirm),
  // The new version WeChat fetches in the background (base library 1.9.90+), or null before that.
  updateManager: () => (wx.getUpdateManager ? wx.getUpdateManager() : null),
  loading: (title) => (title ? wx.showLoading({ title, mask: true }) : wx.hideLoading()),
}
