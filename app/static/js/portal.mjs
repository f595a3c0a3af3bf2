// Progressive enhancement only: every page works without JavaScript.
import { initAll } from './govuk-frontend.min.js'
initAll()

// The time-out warning (the GOV.UK timeout-warning pattern): two minutes before an idle sign-out, a dialog
// offers to stay signed in. Without JavaScript the page itself says when the session will end.
const WARN_BEFORE_MS = 2 * 60 * 1000

function startTimeoutWarning (note) {
  let endsAt = Date.parse(note.dataset.endsAt)
  const idleMs = endsAt - Date.now()
  if (!(idleMs > 0)) return
  const dialog = document.createElement('dialog')
  dialog.className = 'cpm-timeout-dialog'
  dialog.setAttribute('aria-labelledby', 'timeout-heading')
  dialog.setAttribute('aria-describedby', 'timeout-text')
  dialog.innerHTML = `
    <h2 class="govuk-heading-m" id="timeout-heading">You will be signed out soon</h2>
    <p class="govuk-body" id="timeout-text"></p>
    <div class="govuk-button-group">
      <button type="button" class="govuk-button" data-stay>Stay signed in</button>
    </div>`
  document.body.appendChild(dialog)
  const text = dialog.querySelector('#timeout-text')
  let timer = null

  function tick () {
    const left = endsAt - Date.now()
    if (left <= 0) {
      text.textContent = 'You have been signed out. Anything you send now is kept: sign in again to carry on.'
      dialog.querySelector('[data-stay]').textContent = 'Close'
      return
    }
    const minutes = Math.ceil(left / 60000)
    text.textContent = `We will sign you out in ${minutes} minute${minutes === 1 ? '' : 's'} to keep your information safe. ` +
      'Anything you have typed is kept if that happens.'
    timer = window.setTimeout(tick, Math.min(left, 15000))
  }

  function schedule () {
    window.clearTimeout(timer)
    timer = window.setTimeout(() => { tick(); if (!dialog.open) dialog.showModal() }, Math.max(0, endsAt - Date.now() - WARN_BEFORE_MS))
  }

  dialog.querySelector('[data-stay]').addEventListener('click', async () => {
    if (endsAt > Date.now()) {
      const response = await fetch(note.dataset.keepAlive, {
        method: 'POST', headers: { 'X-CSRFToken': note.dataset.csrf }, credentials: 'same-origin'
      })
      if (response.ok) {
        endsAt = Date.now() + idleMs
        const shown = note.querySelector('#session-ends')
        if (shown) shown.dataset.renewed = 'true'
        schedule()
      }
    }
    dialog.close()
  })
  schedule()
}

const note = document.querySelector('[data-module="cpm-timeout"]')
if (note && typeof HTMLDialogElement === 'function') startTimeoutWarning(note)

// Copy buttons: hidden until the browser can copy; the hint beside them says how to copy by hand.
for (const button of document.querySelectorAll('[data-copy]')) {
  const field = document.getElementById(button.dataset.copy)
  const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`)
  if (!field || !navigator.clipboard) continue
  button.hidden = false
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value)
      if (status) status.textContent = 'Copied. Now paste it into your calendar app.'
    } catch (error) {
      field.select()
      if (status) status.textContent = 'Your browser did not let us copy it. The address is selected: copy it by hand.'
    }
  })
}
