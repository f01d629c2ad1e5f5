import { startSimulator } from '../src/simulator/index.ts';

// The benchmark's simulator runs in its own process so the poller's CPU and memory figures are the poller's.
const [rateScale, burstScale, reportProcessingMs, port] = process.argv.slice(2).map(Number);
const sim = await startSimulator({
  port: port ?? 0,
  accounts: 'none',
  rateScale: rateScale ?? 1,
  burstScale: burstScale ?? 1,
  reportProcessingMs: reportProcessingMs ?? 1_000,
});
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
