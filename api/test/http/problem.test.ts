import express from 'express';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors/index.js';
import { problemHandler } from '../../src/http/problem.js';

describe('problem+json', () => {
  it("keeps the catalog's status and code when an error's details carry members of the same names", async () => {
    const app = express();
    app.get('/task', () => {
      throw new DomainError('conflict', 'the task is already closed', { status: 'CLOSED', code: 'x', detail: 'y', taskId: 't-1' });
    });
    const logged: unknown[] = [];
    app.use(problemHandler((err) => logged.push(err)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/task`);
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 409, code: 'conflict', detail: 'the task is already closed', taskId: 't-1' });
      expect(logged).toEqual([]);
    } finally {
      server.close();
    }
  });
});
