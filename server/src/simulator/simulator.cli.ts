// `simulator`: runs the local SP-API on its own, for the demo and for pointing a client at it by hand.

import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { SCENARIO_DESCRIPTIONS } from './scenarios.ts';
import { isScenarioName } from './scenarios.ts';
import { DEMO_APPLICATION_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startSimulator } from './index.ts';
import type { RunningSimulator } from './index.ts';

interface SimulatorCliOptions {
  port: number;
  host: string;
  rateScale: number;
  reportMs: number;
  dataKioskMs?: number;
  control: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

export function registerSimulatorCommands(program: Command): void {
  program
    .command('simulator')
    .description('run the local SP-API simulator (LWA, Reports, Sellers, Data Kiosk) with the demo accounts')
    .option('--port <n>', 'port to listen on (0 = any free port)', nonNegativeInteger, 4010)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--rate-scale <x>', "multiply Amazon's usage-plan rates by this", positiveNumber, 1)
    .option('--report-ms <n>', 'wall-clock ms a report takes to process', nonNegativeInteger, 30_000)
    .option(
      '--data-kiosk-ms <n>',
      'wall-clock ms a Data Kiosk query takes (default: --report-ms)',
      nonNegativeInteger,
    )
    .option('--no-control', 'do not expose the /_sim control API')
    .action(async (options: SimulatorCliOptions) => {
      const sim = await startSimulator({
        port: options.port,
        host: options.host,
        rateScale: options.rateScale,
        reportProcessingMs: options.reportMs,
        dataKioskProcessingMs: options.dataKioskMs,
        control: options.control,
        logger: { info: () => undefined, warn: (...args: unknown[]) => console.warn(...args) },
      });
      printBanner(sim, options);
      await untilSignal();
      await sim.close();
    });
}

function printBanner(sim: RunningSimulator, options: SimulatorCliOptions): void {
  const lines = [
    `SP-API simulator listening on ${sim.url}`,
    `  rate scale ${options.rateScale}, reports take ${options.reportMs} ms, Data Kiosk queries ${
      options.dataKioskMs ?? options.reportMs
    } ms, control API ${options.control ? `at ${sim.url}/_sim/state` : 'off'}`,
    '',
    'LWA app credentials:',
    `  client id:     ${DEMO_CLIENT_ID}`,
    `  client secret: ${DEMO_CLIENT_SECRET}`,
    `  app id:        ${DEMO_APPLICATION_ID} (draft: its consent URL needs version=beta)`,
    `  consent page:  ${sim.url}/apps/authorize/consent`,
    '',
    'Demo accounts:',
  ];
  for (const account of sim.state.listAccounts()) {
    const about = isScenarioName(account.scenario) ? SCENARIO_DESCRIPTIONS[account.scenario] : '';
    lines.push(
      `  ${account.sellerId}  ${account.region}  ${account.scenario.padEnd(20)} ${account.name}`,
      `    marketplaces:  ${account.marketplaceIds.join(', ')}`,
      `    refresh token: ${account.refreshToken}`,
      `    ${about}`,
    );
  }
  lines.push('', 'Press Ctrl+C to stop.');
  console.log(lines.join('\n'));
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
