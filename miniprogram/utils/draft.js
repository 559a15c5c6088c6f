// The join form's typed answers, kept in storage so that a killed app (a call, a flat battery, WeChat
// reclaiming memory) reopens with them; with the submission's Idempotency-Key, so a retry after reopening
// cannot make a second application.
//
// PIPL: the draft holds a name, an ID number and a mobile on the worker's phone, so it lives at most
// DRAFT_MAX_AGE_MS from its first save (dropped when read later, and at every app launch), and ends with the
// server's final answer: accepted, or refused for good for this ID number (already applied, already a
// member), or a meeting or code that takes no one. The 个人信息保护说明 (app/services/intake/notices.py)
// tells the worker so: change both together.
const { isStop } = require('./messages')

const DRAFT_KEY = 'union-intake:join-draft'
const DRAFT_MAX_AGE_MS = 24 * 3600 * 1000
const FINAL_REFUSALS = ['already_applied', 'already_member']

function isFresh(draft, now) {
  return typeof draft.savedAt === 'number' && now - draft.savedAt < DRAFT_MAX_AGE_MS
}

// The stored draft if it is still fresh; a stale one (or one from before drafts had a time) is removed.
function freshDraft(storage, now = Date.now()) {
  const draft = storage.get(DRAFT_KEY)
  if (draft && isFresh(draft, now)) return draft
  if (draft) storage.remove(DRAFT_KEY)
  return null
}

function loadDraft(storage, entryCode) {
  const draft = freshDraft(storage)
  return draft && draft.entryCode === entryCode ? draft : { entryCode, answers: {}, idempotencyKey: null }
}

// Saving again keeps the first save's time: typing on does not stretch the day a draft may live.
function saveDraft(storage, draft) {
  draft.savedAt = draft.savedAt || Date.now()
  storage.set(DRAFT_KEY, draft)
}

function clearDraft(storage) {
  storage.remove(DRAFT_KEY)
}

// Whether the server's refusal ends the form for good, so its draft must go.
function endsDraft(error) {
  return FINAL_REFUSALS.indexOf(error.code) >= 0 || isStop(error)
}

module.exports = { loadDraft, saveDraft, clearDraft, freshDraft, endsDraft, DRAFT_KEY, DRAFT_MAX_AGE_MS }
