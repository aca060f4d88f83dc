export { ERROR_CATALOG, type ErrorCode } from './catalog.js';
export { DomainError, isConvertibleError, type ConvertibleError } from './domain-error.js';
