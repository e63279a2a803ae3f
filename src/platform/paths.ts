// Where the project's static assets are, whether running from src/ (tests) or dist/ (npm start).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = path.dirname(fileURLToPath(from));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('Cannot find the Augur installation directory (package.json)');
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot(import.meta.url);
/** Built browser scripts (t.js); `npm run build` writes them. */
export const builtWebDir = path.join(projectRoot, 'dist', 'web');
/** Static pages shipped as they are (the demo site). */
export const webDir = path.join(projectRoot, 'web');
