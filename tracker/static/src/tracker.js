// Starts the GOV.UK Frontend components (error summary focus, character counts, details).
import { initAll } from './govuk-frontend.min.js'

initAll()
