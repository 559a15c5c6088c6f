// The API client of the running mini-program: the wx platform and this version's server.
const platform = require('../platform/wx')
const { apiBaseUrl } = require('../config/env')
const { createApi } = require('./client')

let api = null

// Built on first use, not at require time: getAccountInfoSync is only there once the app runs.
module.exports = function currentApi() {
  if (!api) api = createApi(platform, apiBaseUrl(platform.envVersion()))
  return api
}
