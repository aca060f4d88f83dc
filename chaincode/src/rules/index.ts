/** The rules of consent, exchange and anchoring: pure functions shared by the chaincode and the API. */
export * from './errors.js';
export * from './canonical-json.js';
export * from './purposes.js';
export * from './fields.js';
export * from './schemas.js';
export * from './consent-policy.js';
export * from './exchange-policy.js';
export * from './anchor-policy.js';
export * from './rights-record.js';
export * from './subject-control.js';
export { verifyConsistency } from './merkle.js';
