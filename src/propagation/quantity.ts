// Kubernetes resource quantities (apimachinery's resource.Quantity): parsing, the whole-unit and milli-unit
// values the schedulers compute with, and the canonical text the API writes. A value is kept as an exact
// count of nano-units, so sums and differences never lose precision.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9; anything finer is rounded up, as Kubernetes does. */
  nanos: bigint;
  /** How the value is written back: the format of the text it was parsed from. */
  format: QuantityFormat;
}

const NANO = 10n ** 9n;
const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENTS: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;
/** Larger decimal exponents are refused rather than expanded into enormous integers. */
const MAX_EXPONENT = 40;

/** Parses a quantity ('100m', '16Gi', '1e3', or a JSON number); undefined when it is not one. */
export function parseQuantity(input: unknown): Quantity | undefined {
  const text = typeof input === 'number' && Number.isFinite(input) ? String(input) : input;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix = ''] = m;
  const [whole, fraction = ''] = number.split('.');
  let format: QuantityFormat = 'DecimalSI';
  let exponent = 9 - fraction.length;
  let digits = BigInt(`${whole}${fraction}` || '0');
  if (suffix in BINARY_EXPONENTS) {
    format = 'BinarySI';
    digits <<= BigInt(BINARY_EXPONENTS[suffix]);
  } else if (suffix.length > 1) {
    format = 'DecimalExponent';
    exponent += Number(suffix.slice(1));
  } else {
    exponent += DECIMAL_EXPONENTS[suffix];
  }
  if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
  const nanos = exponent >= 0 ? digits * 10n ** BigInt(exponent) : ceilDiv(digits, 10n ** BigInt(-exponent));
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

/** Quantity.Value(): the value in whole units, rounded up. */
export function quantityValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, NANO);
}

/** Quantity.MilliValue(): the value in milli-units, rounded up. */
export function quantityMilliValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, 10n ** 6n);
}

export function newQuantity(value: bigint, format: QuantityFormat): Quantity {
  return { nanos: value * NANO, format };
}

export function newMilliQuantity(milli: bigint, format: QuantityFormat): Quantity {
  return { nanos: milli * 10n ** 6n, format };
}

/**
 * The canonical text: BinarySI as a whole number with the largest binary suffix that divides it (values below
 * 1024 or with a fraction fall back to decimal), decimal as the largest multiple-of-three exponent that leaves
 * a whole mantissa ('1500', '2k', '3500m').
 */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const whole = q.nanos % NANO === 0n;
  if (q.format === 'BinarySI' && whole && (q.nanos >= 1024n * NANO || q.nanos <= -1024n * NANO)) {
    let mantissa = q.nanos / NANO;
    let exponent = 0;
    while (exponent < 60 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      exponent += 10;
    }
    const suffix = Object.keys(BINARY_EXPONENTS).find((s) => BINARY_EXPONENTS[s] === exponent) ?? '';
    return `${mantissa}${suffix}`;
  }
  let mantissa = q.nanos;
  let exponent = -9;
  while (exponent < 18 && mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exponent += 3;
  }
  if (q.format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  return `${mantissa}${Object.keys(DECIMAL_EXPONENTS).find((s) => DECIMAL_EXPONENTS[s] === exponent)}`;
}

/** Division rounded towards positive infinity (divisor > 0). */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b > 0n ? q + 1n : q;
}
