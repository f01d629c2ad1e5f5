// `report:parse <file>`: the operator's view of what the parser makes of a report document.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseReportBytes } from './parse-seller-performance.ts';

export interface ReportCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<Buffer>;
}

async function readAllStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const processIo: ReportCliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: readAllStdin,
};

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Reads a `.json` / `.json.gz` report document (or stdin for `-`) and prints the ParsedReport; returns the exit
 * code. Every failure is one `error:` line: an operator wants the reason, not a stack trace. */
export async function runReportParse(path: string, io: ReportCliIo = processIo): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = path === '-' ? await io.readStdin() : await readFile(path);
  } catch (error) {
    io.stderr(`error: cannot read ${path}: ${oneLine(error)}\n`);
    return 1;
  }
  try {
    io.stdout(`${JSON.stringify(parseReportBytes(bytes), null, 2)}\n`);
    return 0;
  } catch (error) {
    io.stderr(`error: ${oneLine(error)}\n`);
    return 1;
  }
}

export function registerReportCommands(program: Command, io: ReportCliIo = processIo): void {
  program
    .command('report:parse')
    .description('parse a seller performance report document and print the normalized result as JSON')
    .argument('<file>', 'a .json or .json.gz report document, or - to read stdin')
    .action(async (file: string) => {
      process.exitCode = await runReportParse(file, io);
    });
}
