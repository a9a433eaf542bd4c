// Installs dependencies on first use (a fresh clone), so `npm start` and `npm test` work alone.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const stamp = 'node_modules/.package-lock.json';
const stale = !existsSync(stamp) || statSync('package-lock.json').mtimeMs > statSync(stamp).mtimeMs;
if (stale) execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
