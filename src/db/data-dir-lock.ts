// Embedded PostgreSQL belongs to one process: a second one opening the same files (say
// `augur create-admin` beside a running server) would corrupt them. A pid file guards it.
import fs from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws naming the process that holds it; returns the release function. */
export function lockDataDir(lockFile: string): () => void {
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new Error(
          `Another Augur process (pid ${holder}) is using the embedded database in ${lockFile.replace(/\/[^/]+$/, '')}. ` +
            'Stop it first, or use the setup token it printed; with DATABASE_URL several processes can share PostgreSQL.',
        );
      }
      fs.rmSync(lockFile, { force: true }); // left behind by a process that died
    }
  }
}
