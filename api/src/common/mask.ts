/** Masks an 18-character ID number as customers see it: `110105********3411`. */
export function maskIdNumber(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length);
  return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4);
}

/**
 * Masks a phone number: a mainland mobile as `138****8000`; a landline keeps its area code and
 * last two digits (`010-****5678` → `010-******78`); anything short is starred out whole.
 */
export function maskPhone(phone: string): string {
  if (/^1\d{10}$/.test(phone)) return phone.slice(0, 3) + '****' + phone.slice(-4);
  const m = /^(\d{3,4})-(\d+)$/.exec(phone);
  if (m) return `${m[1]}-${'*'.repeat(Math.max(0, m[2]!.length - 2))}${m[2]!.slice(-2)}`;
  if (phone.length <= 4) return '*'.repeat(phone.length);
  return phone.slice(0, 2) + '*'.repeat(phone.length - 4) + phone.slice(-2);
}
