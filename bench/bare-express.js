// The baseline: a bare Express 5 JSON endpoint, no auth, no database, no crypto.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.get('/json', (_req, res) => {
  res.json({ consentId: '0193a0c0-0000-7000-8000-000000000000', fields: { 'residence.province': 'Hà Nội', 'health_insurance.status': 'ACTIVE' } });
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
