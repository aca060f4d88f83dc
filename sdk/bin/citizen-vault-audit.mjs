#!/usr/bin/env node
// The auditor CLI; its source is sdk/src/cli/audit.ts (built to dist/ by `npm run build`).
import '../dist/cli/audit.js';
