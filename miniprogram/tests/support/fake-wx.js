// A stand-in for the `wx` global, only at the platform boundary: login and phone codes, the chosen image,
// storage, and the request transport (answered by the test's route table). Pages, the API client and the
// form rules run as they do on a phone.

function createFakeWx() {
  const state = {
    routes: {}, requests: [], uploads: [], storage: new Map(), navigations: [], toasts: [],
    loginCodes: [], chosenImage: null, scanResult: null, subscribeAnswer: 'accept', subscribeRequests: [],
    copied: [], privacyListener: null, privacyAnswers: [], offline: false,
    // Sizes of the files on the "phone" by path, and the size wx.compressImage's output comes out at.
    fileSizes: {}, compressedSize: null, compressions: [],
  }

  // `routes['POST /membership-applications']` = {statusCode, data} or a function(request) returning one.
  function answer(method, url, request) {
    const path = url.replace(/^https?:\/\/[^/]+\/mp\/v1/, '').split('?')[0]
    const route = state.routes[`${method} ${path}`]
    if (!route) return { statusCode: 404, data: { error: { code: 'not_found', message: '找不到该页面或资源', fields: {} } } }
    return typeof route === 'function' ? route(request) : route
  }

  function respond(options, result) {
    setTimeout(() => (state.offline ? options.fail({ errMsg: 'request:fail timeout' }) : options.success(result)), 0)
  }

  const wx = {
    getAccountInfoSync: () => ({ miniProgram: { envVersion: 'develop', appId: 'touristappid' } }),
    login(options) {
      setTimeout(() => options.success({ code: state.loginCodes.shift() || 'dev:worker' }), 0)
    },
    request(options) {
      const request = { method: options.method, url: options.url, data: options.data, header: options.header }
      state.requests.push(request)
      const { statusCode, data, header } = answer(options.method, options.url, request)
      respond(options, { statusCode, data, header: header || {} })
    },
    uploadFile(options) {
      state.uploads.push({ url: options.url, filePath: options.filePath, name: options.name, header: options.header })
      const { statusCode, data } = answer('POST', options.url, options)
      respond(options, { statusCode, data: JSON.stringify(data) })
    },
    chooseMedia(options) {
      if (!state.chosenImage) return setTimeout(() => options.fail({ errMsg: 'chooseMedia:fail cancel' }), 0)
      setTimeout(() => options.success({ type: 'image', tempFiles: [state.chosenImage] }), 0)
    },
    compressImage(options) {
      state.compressions.push({ src: options.src, quality: options.quality })
      const tempFilePath = `${options.src}.compressed.jpg`
      state.fileSizes[tempFilePath] = state.compressedSize
      setTimeout(() => options.success({ tempFilePath }), 0)
    },
    getFileSystemManager: () => ({
      getFileInfo(options) {
        const size = state.fileSizes[options.filePath]
        setTimeout(() => (size ? options.success({ size }) : options.fail({ errMsg: 'getFileInfo:fail no such file' })), 0)
      },
    }),
    scanCode(options) {
      if (!state.scanResult) return setTimeout(() => options.fail({ errMsg: 'scanCode:fail cancel' }), 0)
      setTimeout(() => options.success(state.scanResult), 0)
    },
    requestSubscribeMessage(options) {
      state.subscribeRequests.push(options.tmplIds)
      const answers = Object.fromEntries(options.tmplIds.map((id) => [id, state.subscribeAnswer]))
      setTimeout(() => options.success({ errMsg: 'requestSubscribeMessage:ok', ...answers }), 0)
    },
    setClipboardData(options) {
      state.copied.push(options.data)
      setTimeout(() => options.success({}), 0)
    },
    onNeedPrivacyAuthorization(listener) { state.privacyListener = listener },
    openPrivacyContract(options) { setTimeout(() => options.success({}), 0) },
    navigateTo(options) { state.navigations.push(options.url); setTimeout(() => options.success({}), 0) },
    redirectTo(options) { state.navigations.push(options.url); setTimeout(() => options.success({}), 0) },
    showToast(options) { state.toasts.push(options.title) },
    showLoading() {},
    hideLoading() {},
    getStorageSync: (key) => (state.storage.has(key) ? JSON.parse(state.storage.get(key)) : ''),
    setStorageSync: (key, value) => state.storage.set(key, JSON.stringify(value)),
    removeStorageSync: (key) => state.storage.delete(key),
  }

  // What WeChat does when a privacy API is called before consent: ask the app, then go on or refuse.
  function needPrivacy() {
    return new Promise((resolve) => {
      state.privacyListener((answer) => {
        state.privacyAnswers.push(answer.event)
        if (answer.event !== 'exposureAuthorization') resolve(answer.event)
      }, { referrer: 'getPhoneNumber' })
    })
  }

  function reset() {
    const listener = state.privacyListener
    Object.assign(state, createFakeWx().state, { privacyListener: listener })
  }

  return { wx, state, needPrivacy, reset }
}

module.exports = { createFakeWx }
