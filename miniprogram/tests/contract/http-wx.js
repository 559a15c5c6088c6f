// A `wx` for one phone in Node: wx.request and wx.uploadFile go over real HTTP (fetch), wx.login hands out
// this phone's login code, storage lives as long as the phone, and the camera "takes" a file from disk.
const fs = require('fs')
const path = require('path')

function createPhone({ loginCode, photoPath }) {
  const storage = new Map()

  function settle(options, work) {
    work.then(options.success, (failure) => options.fail({ errMsg: `fail ${failure.message}` }))
  }

  const wx = {
    getAccountInfoSync: () => ({ miniProgram: { envVersion: 'develop' } }),
    login: (options) => settle(options, Promise.resolve({ code: loginCode })),
    request(options) {
      const body = options.data === undefined || options.method === 'GET' ? undefined : JSON.stringify(options.data)
      settle(options, fetch(options.url, { method: options.method, headers: options.header, body }).then(async (response) => ({
        statusCode: response.status,
        header: Object.fromEntries(response.headers.entries()),
        data: (response.headers.get('content-type') || '').includes('json') ? await response.json() : await response.text(),
      })))
    },
    uploadFile(options) {
      const form = new FormData()
      form.append(options.name, new Blob([fs.readFileSync(options.filePath)]), path.basename(options.filePath))
      settle(options, fetch(options.url, { method: 'POST', headers: options.header, body: form })
        .then(async (response) => ({ statusCode: response.status, data: await response.text() })))
    },
    chooseMedia: (options) => settle(options, Promise.resolve({ tempFiles: [{ tempFilePath: photoPath, size: fs.statSync(photoPath).size }] })),
    getStorageSync: (key) => (storage.has(key) ? JSON.parse(storage.get(key)) : ''),
    setStorageSync: (key, value) => storage.set(key, JSON.stringify(value)),
    removeStorageSync: (key) => storage.delete(key),
  }
  return { wx, storage }
}

module.exports = { createPhone }
