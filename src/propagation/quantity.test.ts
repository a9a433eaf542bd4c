import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatQuantity, newMilliQuantity, newQuantity, parseQuantity, quantityMilliValue, quantityValue } from './quantity.ts';

const canonical = (text: string | number) => formatQuantity(parseQuantity(text)!);

describe('quantities', () => {
  it('parse decimal, binary and exponent forms', () => {
    assert.deepEqual(parseQuantity('100m'), { nanos: 100_000_000n, format: 'DecimalSI' });
    assert.deepEqual(parseQuantity('2Ki'), { nanos: 2048n * 10n ** 9n, format: 'BinarySI' });
    assert.deepEqual(parseQuantity('1e3'), { nanos: 1000n * 10n ** 9n, format: 'DecimalExponent' });
    assert.deepEqual(parseQuantity('5E'), { nanos: 5n * 10n ** 27n, format: 'DecimalSI' }, 'E alone is exa');
    assert.deepEqual(parseQuantity('-1.5'), { nanos: -1_500_000_000n, format: 'DecimalSI' });
    assert.deepEqual(parseQuantity(110), { nanos: 110n * 10n ** 9n, format: 'DecimalSI' });
    assert.equal(parseQuantity('0.1n')!.nanos, 1n, 'finer than a nano rounds up');
    for (const bad of ['', 'abc', '1Kii', '1 Gi', '1e999', null, {}]) assert.equal(parseQuantity(bad), undefined, String(bad));
  });

  it('give whole and milli values rounded up', () => {
    assert.equal(quantityValue(parseQuantity('100m')!), 1n);
    assert.equal(quantityMilliValue(parseQuantity('100m')!), 100n);
    assert.equal(quantityMilliValue(parseQuantity('1.5m')!), 2n);
    assert.equal(quantityValue(parseQuantity('16Gi')!), 17_179_869_184n);
    assert.equal(quantityValue(parseQuantity('-1.5')!), -1n);
  });

  it('write the canonical form of their format', () => {
    assert.equal(canonical('1.5'), '1500m');
    assert.equal(canonical('2000'), '2k');
    assert.equal(canonical('1500'), '1500');
    assert.equal(canonical('0.5Gi'), '512Mi');
    assert.equal(canonical('1024Ki'), '1Mi');
    assert.equal(canonical('1536Ki'), '1536Ki');
    assert.equal(canonical('12e-1'), '1200e-3');
    assert.equal(canonical('0Gi'), '0');
    assert.equal(formatQuantity(newQuantity(1000n, 'BinarySI')), '1k', 'BinarySI under 1024 is written decimal');
    assert.equal(formatQuantity(newQuantity(100_000_000n, 'BinarySI')), '100000000');
    assert.equal(formatQuantity(newQuantity(3n * 2n ** 30n, 'BinarySI')), '3Gi');
    assert.equal(formatQuantity(newMilliQuantity(2500n, 'DecimalSI')), '2500m');
    assert.equal(formatQuantity(newMilliQuantity(3000n, 'DecimalSI')), '3');
  });
});
