import { FIELD_VOCABULARY, type FieldType } from '@citizen-vault/chaincode/rules';
import { z } from 'zod';
import { DomainError } from '../errors/index.js';

const VALUE: Record<FieldType, z.ZodType> = {
  string: z.string().trim().min(1).max(500),
  date: z.iso.date(),
  integer: z.number().int().min(-1e12).max(1e12),
  enum: z.string().regex(/^[A-Za-z0-9_.-]{1,50}$/),
  boolean: z.boolean(),
};

/** Checks a record's fields against its category in the published vocabulary: known fields only, each of its type. */
export function parseRecordFields(category: string, fields: Record<string, unknown>): Record<string, unknown> {
  const definition = FIELD_VOCABULARY.categories.find((c) => c.code === category);
  if (!definition)
    throw new DomainError('invalid_request', `unknown record category ${JSON.stringify(category)}`, {
      errors: [{ path: '/category', message: 'not in the vocabulary' }],
    });
  const errors: { path: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const field = definition.fields.find((f) => f.name === name);
    if (!field) {
      errors.push({ path: `/fields/${name}`, message: `${category} has no field ${name}` });
      continue;
    }
    const parsed = VALUE[field.type].safeParse(value);
    if (parsed.success) out[name] = parsed.data;
    else errors.push({ path: `/fields/${name}`, message: `must be a ${field.type}` });
  }
  if (Object.keys(fields).length === 0) errors.push({ path: '/fields', message: 'at least one field is required' });
  if (errors.length > 0) throw new DomainError('invalid_request', 'the record does not match its category', { errors });
  return out;
}
