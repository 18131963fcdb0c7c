/** Phone and ID-card numbers are kept in requests but masked (138****0001) in anything posted back to a group or shown publicly. */
export { maskPersonalData as maskPersonalText } from '../intake/mask.js'
