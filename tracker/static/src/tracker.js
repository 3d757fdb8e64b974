// Starts the GOV.UK Frontend components (error summary focus, character counts, details).
import { initAll } from './govuk-frontend.min.js'

// What GOV.UK Frontend's inline script would do: the page's CSP allows no inline script.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// A report being produced in the background: ask how it is going every two seconds and
// reload the page once it has moved on, so the person sees it ready without pressing anything.
const progress = document.querySelector('[data-report-run-progress]')
if (progress && ['queued', 'running'].includes(progress.dataset.state)) {
  const check = async () => {
    try {
      const response = await fetch(progress.dataset.reportRunProgress, {
        credentials: 'same-origin', headers: { Accept: 'application/json' }
      })
      if (response.ok) {
        const { state } = await response.json()
        if (state !== progress.dataset.state) {
          window.location.reload()
          return
        }
      }
    } catch (error) {
      // Offline for a moment: try again at the next tick.
    }
    window.setTimeout(check, 2000)
  }
  window.setTimeout(check, 2000)
}
