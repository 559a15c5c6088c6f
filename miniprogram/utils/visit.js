// The entry answer of the code the worker scanned (meeting, venue, form choices), kept for the pages
// opened from the entry page, so they do not record a second scan by asking for it again.

const VISIT_KEY = 'union-intake:visit'

function rememberVisit(storage, entry) {
  storage.set(VISIT_KEY, entry)
}

async function visitFor(storage, api, entryCode) {
  const visit = storage.get(VISIT_KEY)
  if (visit && visit.entry_code === entryCode) return visit
  const entry = await api.entry(entryCode)
  rememberVisit(storage, entry)
  return entry
}

function rememberedVisit(storage) {
  return storage.get(VISIT_KEY)
}

function rememberedEntryCode(storage) {
  const visit = rememberedVisit(storage)
  return visit ? visit.entry_code : null
}

module.exports = { rememberVisit, visitFor, rememberedVisit, rememberedEntryCode }
