import { isPurposeCode } from '@citizen-vault/chaincode/rules';
import { z } from 'zod';

/** A purpose code of the published vocabulary (mirrors the chaincode's check; the ledger checks again). */
export const PurposeCode = z.string().refine(isPurposeCode, 'must be a purpose code from the published vocabulary');

/** The attributes of the statistics projection an aggregate product may group or filter by. */
export const DIMENSIONS = ['province', 'ageBand', 'sex', 'insuranceStatus'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const AGE_BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
