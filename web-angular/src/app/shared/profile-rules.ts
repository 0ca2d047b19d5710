// The server's own rules of the info pages (api/src/modules/profiles/profile-rules.ts): the page
// refuses exactly what the server would, with the same words.
export {
  idValidityProblems,
  otherInfoProblems,
  phoneKind,
  PHONE_MESSAGE,
  EDUCATION_OPTIONS,
  OCCUPATION_OPTIONS,
  PROVINCES,
  type FieldProblem,
} from '../../../../api/src/modules/profiles/profile-rules';
export { chinaToday } from '../../../../api/src/modules/auth/id-number';
