/** The seeds' rule: more than 10 characters (大于10位), upper and lower case, digits and symbols. */
export function passwordOk(p: string): boolean {
  return p.length > 10 && /[a-z]/.test(p) && /[A-Z]/.test(p) && /\d/.test(p) && /[^A-Za-z0-9]/.test(p);
}
