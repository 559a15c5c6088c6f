// The ID number the join form hands to 找回我的申请 after a 409: kept in memory for the next page only, never
// in a page URL (logged by WeChat's analytics) nor in storage (the draft holding it was just dropped).
let offered = null

function offerRecovery(idNumber) {
  offered = idNumber || null
}

function takeOfferedIdNumber() {
  const idNumber = offered
  offered = null
  return idNumber
}

module.exports = { offerRecovery, takeOfferedIdNumber }
