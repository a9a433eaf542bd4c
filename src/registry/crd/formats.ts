// String formats apiextensions-apiserver keeps in CRD schemas (StripUnsupportedFormatsPostProcess) and
// checks as kube-openapi's strfmt registry does. Unknown formats are stripped, i.e. not checked.

export const SUPPORTED_FORMATS = new Set([
  'bsonobjectid', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'cidr', 'mac', 'uuid', 'uuid3', 'uuid4', 'uuid5',
  'isbn', 'isbn10', 'isbn13', 'creditcard', 'ssn', 'hexcolor', 'rgbcolor', 'byte', 'password', 'date', 'duration',
  'datetime', 'date-time',
]);

const HOSTNAME = /^[a-zA-Z0-9\p{S}\p{L}](?:[a-zA-Z0-9\p{S}\p{L}-]{0,62})?(?:\.[a-zA-Z0-9\p{L}\p{S}](?:[a-zA-Z0-9\p{S}\p{L}-]{0,62})?)*\.?$/u;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DURATION = /^((\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w))\s*)+$|^[0-9]+\s*(ns|us|µs|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const HEXCOLOR = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const RGBCOLOR = /^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$/;
const SSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const BSON = /^[0-9a-fA-F]{24}$/;

function validDate(y: string, m: string, d: string): boolean {
  const dt = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return dt.getUTCFullYear() === Number(y) && dt.getUTCMonth() === Number(m) - 1 && dt.getUTCDate() === Number(d);
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  if (!s.includes(':')) return false;
  try {
    return new URL(`http://[${s}]/`).hostname.length > 0;
  } catch {
    return false;
  }
}

/** true when `value` conforms to `format` (a member of SUPPORTED_FORMATS). */
export function checkFormat(format: string, value: string): boolean {
  switch (format) {
    case 'date-time':
    case 'datetime': {
      const m = DATE_TIME.exec(value);
      return !!m && validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
    }
    case 'date': {
      const m = DATE.exec(value);
      return !!m && validDate(m[1], m[2], m[3]);
    }
    case 'byte': return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0;
    case 'uuid': return UUID.test(value);
    case 'uuid3': return UUID3.test(value);
    case 'uuid4': return UUID4.test(value);
    case 'uuid5': return UUID5.test(value);
    case 'ipv4': return isIPv4(value);
    case 'ipv6': return isIPv6(value);
    case 'cidr': {
      const [ip, bits, extra] = value.split('/');
      if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
      return (isIPv4(ip) && Number(bits) <= 32) || (isIPv6(ip) && Number(bits) <= 128);
    }
    case 'mac': return MAC.test(value);
    case 'hostname': return value.length <= 255 && HOSTNAME.test(value);
    case 'email': return EMAIL.test(value);
    case 'duration': return DURATION.test(value);
    case 'hexcolor': return HEXCOLOR.test(value);
    case 'rgbcolor': {
      const m = RGBCOLOR.exec(value);
      return !!m && [m[1], m[2], m[3]].every((n) => Number(n) <= 255);
    }
    case 'ssn': return SSN.test(value);
    case 'bsonobjectid': return BSON.test(value);
    case 'isbn': case 'isbn10': case 'isbn13': return /^[0-9X -]{10,17}$/.test(value);
    case 'creditcard': return /^[0-9 -]{12,23}$/.test(value);
    default: return true; // uri (url.Parse accepts nearly anything), password
  }
}
