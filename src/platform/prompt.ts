// Reads a password without echo from a terminal, or the first line of piped stdin.
// Passwords never go on the command line, where `ps` would show them.
import readline from 'node:readline';

export async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const ask = () =>
    new Promise<string>((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      const rlAny = rl as unknown as { _writeToOutput: (s: string) => void };
      rlAny._writeToOutput = (s: string) => { if (s.includes(prompt)) process.stdout.write(s); };
      rl.question(prompt, (answer) => { rl.close(); process.stdout.write('\n'); resolve(answer); });
    });
  const first = await ask();
  const again = await ask();
  if (first !== again) throw new Error('The two passwords differ');
  return first;
}
