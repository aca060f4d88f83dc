import { describe, expect, it } from 'vitest';
import { presentRead } from '../../../src/consent/read/present-read.js';
import { loadedConsent } from '../consent-rows.js';

describe('read step 6: present', () => {
  it('sends the consent, the subject, the purpose, the fields and their provenance — in that order, and nothing else of the consent', () => {
    const consent = loadedConsent({ id: 'c-1', subject_id: 's-1', purpose: 'credit_scoring' });
    const provenance = [{ recordId: 'r-1', version: 1, category: 'residence', commitment: 'ff' }];
    const body = presentRead({ consent, fields: { 'residence.province': 'Huế' }, provenance });
    expect(JSON.stringify(body)).toBe(
      '{"consentId":"c-1","subjectId":"s-1","purpose":"credit_scoring","fields":{"residence.province":"Huế"},"provenance":[{"recordId":"r-1","version":1,"category":"residence","commitment":"ff"}]}',
    );
  });
});
