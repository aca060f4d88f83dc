import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CitizenVault,
  CitizenVaultError,
  CitizenVaultStaff,
  ConflictError,
  ConsentExpiredError,
  ConsentNotActiveError,
  ConsentScopeError,
  InvalidRequestError,
  LicenceNotUsableError,
  NotFoundError,
  PermissionError,
  PrivacyBudgetExhaustedError,
  QuotaExceededError,
  RateLimitError,
  ServiceUnavailableError,
  errorFromProblem,
} from '@citizen-vault/sdk';
import { ERROR_CATALOG, type ErrorKind } from '../../api/src/errors/catalog.js';

/** What a caller catches for each kind of API error, written out here rather than derived the generator's way. */
const CLASS_BY_KIND: Record<ErrorKind, new (...args: never[]) => CitizenVaultError> = {
  invalid_request: InvalidRequestError,
  authentication: AuthenticationError,
  permission: PermissionError,
  not_found: NotFoundError,
  conflict: ConflictError,
  consent_not_active: ConsentNotActiveError,
  consent_expired: ConsentExpiredError,
  consent_scope: ConsentScopeError,
  rate_limit: RateLimitError,
  quota_exceeded: QuotaExceededError,
  privacy_budget_exhausted: PrivacyBudgetExhaustedError,
  licence_not_usable: LicenceNotUsableError,
  service_unavailable: ServiceUnavailableError,
};

describe("the SDK's typed errors", () => {
  it("throws the class of its kind for every code in the API's catalog, never the bare base class", () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
      const err = errorFromProblem(entry.status, { code, detail: `a ${code}` }, 'req-1');
      expect(err, code).toBeInstanceOf(CLASS_BY_KIND[entry.kind]);
      expect(err, code).toMatchObject({ code, status: entry.status, requestId: 'req-1', message: `a ${code}` });
    }
    // The codes the SDK's hand-written table lacked before it was generated.
    expect(errorFromProblem(403, { code: 'buyer_not_verified', detail: 'x' }, undefined)).toBeInstanceOf(PermissionError);
    expect(errorFromProblem(429, { code: 'rate_limited', detail: 'x' }, undefined)).toBeInstanceOf(RateLimitError);
    expect(errorFromProblem(406, { code: 'not_acceptable', detail: 'x' }, undefined)).toBeInstanceOf(InvalidRequestError);
  });

  it('types a code it does not know by its status only where that is unambiguous', () => {
    expect(errorFromProblem(503, { code: 'from_a_newer_api', detail: 'x' }, undefined)).toBeInstanceOf(ServiceUnavailableError);
    const err = errorFromProblem(418, { detail: 'no code' }, undefined);
    expect(err.constructor).toBe(CitizenVaultError);
    expect(err).toMatchObject({ code: 'http_418', message: 'no code' });
  });

  it('names the offending fields of a schema error in its message, and keeps every one in details', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({ path: `/fields/${i}`, message: 'Invalid option' }));
    const one = errorFromProblem(
      400,
      {
        code: 'invalid_request',
        detail: 'the request does not match its schema',
        errors: [{ path: '/subject/nationalId', message: 'Invalid string: must match pattern /^\\d{12}$/' }],
      },
      undefined,
    );
    expect(one.message).toBe('the request does not match its schema: /subject/nationalId: Invalid string: must match pattern /^\\d{12}$/');
    const many = errorFromProblem(400, { code: 'invalid_request', detail: 'the request does not match its schema', errors }, undefined);
    expect(many.message).toBe(
      'the request does not match its schema: /fields/0: Invalid option; /fields/1: Invalid option; /fields/2: Invalid option; /fields/3: Invalid option; /fields/4: Invalid option; and 2 more',
    );
    expect(many.details.errors).toEqual(errors);
    // Whatever else a proxy or an older API puts there leaves the detail as it was.
    expect(errorFromProblem(400, { code: 'invalid_request', detail: 'bad', errors: 'nope' }, undefined).message).toBe('bad');
    expect(errorFromProblem(400, { code: 'invalid_request', detail: 'bad', errors: [null, 3, { message: 'no path' }] }, undefined).message).toBe('bad');
  });

  it('refuses `new` at once and points to the factory, instead of building a client that fails later', () => {
    const options = { baseUrl: 'http://localhost:8080', organizationId: 'org', signingKey: 'x', encryptionKey: 'y', token: 't' };
    // TypeScript already refuses `new` (the constructors are private); JavaScript callers reach them.
    expect(() => Reflect.construct(CitizenVault, [options])).toThrow(
      new TypeError('CitizenVault cannot be built with `new`: importing its keys is asynchronous. Use `await CitizenVault.create(options)`.'),
    );
    expect(() => Reflect.construct(CitizenVaultStaff, [options])).toThrow(
      new TypeError('CitizenVaultStaff cannot be built with `new`. Use `CitizenVaultStaff.create(options)`.'),
    );
    expect(CitizenVaultStaff.create({ baseUrl: 'http://localhost:8080', token: 't' })).toBeInstanceOf(CitizenVaultStaff);
  });
});
