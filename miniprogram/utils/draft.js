// The join form's typed answers, kept in storage so that a killed app (a call, a flat battery, WeChat
// reclaiming memory) reopens with them; with the submission's Idempotency-Key, so a retry after reopening
// cannot make a second application. Cleared when the server has accepted the form.

const DRAFT_KEY = 'union-intake:join-draft'

function loadDraft(storage, entryCode) {
  const draft = storage.get(DRAFT_KEY)
  return draft && draft.entryCode === entryCode ? draft : { entryCode, answers: {}, idempotencyKey: null }
}

function saveDraft(storage, draft) {
  storage.set(DRAFT_KEY, draft)
}

function clearDraft(storage) {
  storage.remove(DRAFT_KEY)
}

module.exports = { loadDraft, saveDraft, clearDraft, DRAFT_KEY }
