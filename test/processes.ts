// The real binary in tests: free ports, spawning `dist/src/main.js` (built by global-setup.ts),
// waiting until it is ready, stopping it, and killing whatever a failed test left running.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const MAIN = path.resolve('dist/src/main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Spawned {
  proc: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** The exit code once the process has exited (null when a signal ended it). */
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const running = (proc: ChildProcess) => proc.exitCode === null && proc.signalCode === null;

/** Starts `node dist/src/main.js ...args` with only PATH from this environment, plus env. */
export function spawnAugur(args: string[], env: Record<string, string | undefined>): Spawned {
  const proc = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

/** Runs `node dist/src/main.js ...args` to completion (commands that exit: migrate, create-admin, bad config). */
export function runAugur(args: string[], env: Record<string, string | undefined>, input?: string) {
  return spawnSync(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, ...env }, input, encoding: 'utf8' });
}

/**
 * Polls until `ready` holds: a port whose /health/ready answers 200, or a predicate. Throws with
 * the process's output if it exits first or the time runs out.
 */
export async function waitReady(p: Spawned, ready: number | (() => boolean | Promise<boolean>), what = 'server', timeoutMs = 30_000): Promise<void> {
  const check = typeof ready === 'number' ? () => healthy(ready) : ready;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running(p.proc)) throw new Error(`${what} exited early: ${p.output()}`);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready: ${p.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
  } catch {
    return false; // not listening yet
  }
}

/** Sends the signal and waits for the exit; SIGKILL if it is still running after killAfterMs. */
export async function stopProcess(p: Spawned, signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<number | null> {
  if (running(p.proc)) p.proc.kill(signal);
  const timer = setTimeout(() => p.proc.kill('SIGKILL'), killAfterMs);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** For afterAll: a failed or timed-out test must not leave a process running. */
export async function killAll(): Promise<void> {
  const left = children.filter(running);
  const gone = left.map((proc) => new Promise((r) => proc.once('exit', r)));
  for (const proc of left) proc.kill('SIGKILL');
  await Promise.all(gone);
}
