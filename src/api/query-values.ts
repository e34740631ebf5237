import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { parseProtocol } from '../policy';

/**
 * Shared parsing of request values (query strings and bodies): each decorator checks one thing and
 * answers with one message naming the field and what is expected, never several contradictory ones.
 */

/** Kubernetes object names (DNS-1123 subdomain): what the API server would accept. */
export const K8S_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The span ClickHouse's DateTime64 stores; instants outside it cannot be asked about. */
export const TIME_MIN = Date.UTC(1900, 0, 1);
export const TIME_MAX = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v) : String(v));

/** The reason a timestamp is refused, or null when it is a valid RFC 3339 instant in range. */
export function timestampProblem(field: string, v: unknown): string | null {
  if (typeof v !== 'string' || !RFC3339.test(v)) return `${field} must be an RFC 3339 timestamp such as 2026-11-26T07:00:00Z, got ${show(v)}`;
  const t = Date.parse(v);
  // Date.parse rolls 2026-02-30 over to March: compare the date back.
  const [y, m, d] = v.slice(0, 10).split('-').map(Number);
  if (Number.isNaN(t) || m < 1 || m > 12 || d < 1 || d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return `${field} is not a valid date: ${show(v)}`;
  if (t < TIME_MIN || t > TIME_MAX) return `${field} is out of range: must be between 1900-01-01T00:00:00Z and 2299-12-31T23:59:59Z, got ${show(v)}`;
  return null;
}

/** An RFC 3339 instant within the stored range. */
export function IsTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimestamp',
    validator: {
      validate: (v: unknown, a?: ValidationArguments) => timestampProblem(a?.property ?? 'value', v) === null,
      defaultMessage: (a?: ValidationArguments) => timestampProblem(a?.property ?? 'value', a?.value) ?? '',
    },
  });
}

/**
 * An integer in [min, max]. Query values arrive as text: only plain digits are converted, so `abc`,
 * `1e3` or `10.5` are refused with the one message rather than coerced.
 */
export function IsIntIn(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : value)),
    ValidateBy({
      name: 'isIntIn',
      constraints: [min, max],
      validator: {
        validate: (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
        defaultMessage: (a?: ValidationArguments) => `${a?.property} must be an integer in ${min}-${max}, got ${show(a?.value)}`,
      },
    }),
  ) as PropertyDecorator;
}

/**
 * A comma-separated list (or repeated parameter) of items from `allowed`: no empty item, no
 * duplicate, at most `maxItems`.
 */
export function IsListOf(allowed: readonly string[], maxItems: number): PropertyDecorator {
  const problem = (field: string, v: unknown): string | null => {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return `${field} must be a comma-separated list of ${allowed.join(', ')}`;
    const empty = v.findIndex((x) => x.trim() === '');
    if (empty >= 0) return `${field} has an empty item at position ${empty + 1}: write ${field}=a,b`;
    const unknown = v.find((x) => !allowed.includes(x));
    if (unknown !== undefined) return `${field} item ${show(unknown)} is not one of ${allowed.join(', ')}`;
    const dup = v.find((x, i) => v.indexOf(x) !== i);
    if (dup !== undefined) return `${field} lists ${show(dup)} twice`;
    if (v.length > maxItems) return `${field} has ${v.length} items; at most ${maxItems}`;
    return null;
  };
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.flatMap((x) => (typeof x === 'string' ? x.split(',') : [x])) : value)),
    ValidateBy({
      name: 'isListOf',
      validator: {
        validate: (v: unknown, a?: ValidationArguments) => problem(a?.property ?? 'value', v) === null,
        defaultMessage: (a?: ValidationArguments) => problem(a?.property ?? 'value', a?.value) ?? '',
      },
    }),
  ) as PropertyDecorator;
}

/** A protocol the engine knows: a name (tcp, udp, icmp, icmpv6, sctp, udplite) or a number 1-255. */
@ValidatorConstraint({ name: 'isProtocol' })
export class IsProtocolConstraint implements ValidatorConstraintInterface {
  validate(v: unknown): boolean {
    return (typeof v === 'string' || typeof v === 'number') && parseProtocol(v) !== null;
  }
  defaultMessage(a: ValidationArguments): string {
    return `${a.property} must be a name (tcp, udp, icmp, icmpv6, sctp, udplite) or a number 1-255, got ${show(a.value)}`;
  }
}
