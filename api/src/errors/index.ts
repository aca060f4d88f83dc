export { ERROR_CATALOG, type ErrorCode, type ErrorEntry, type ErrorKind } from './catalog.js';
export { DomainError, isConvertibleError, type ConvertibleError } from './domain-error.js';
