// The real amazon-sp-api client against the simulator, through an agent that sends its HTTPS requests as
// plain HTTP to the local port (docs/transport-seam.md). This pins the simulator to what the
// package actually sends: token body, headers, query encodings, retries and the document download.

import https from 'node:https';
import net from 'node:net';
import { SellingPartner } from 'amazon-sp-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalTransportAgent } from '../spapi/transport.ts';
import {
  accountHealthQuery,
  DEMO_ACCOUNTS,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startSimulator,
} from './index.ts';
import type { DemoAccount, QueryView, RunningSimulator, SellerPerformanceDocument } from './index.ts';

class LoopbackAgent extends https.Agent {
  constructor(private readonly port: number) {
    super({ keepAlive: false });
  }
  override createConnection(): net.Socket {
    return net.connect(this.port, '127.0.0.1');
  }
}

function client(
  sim: RunningSimulator,
  account: DemoAccount,
  agent: https.Agent = new LoopbackAgent(sim.port),
) {
  const config = {
    region: account.region,
    refresh_token: account.refreshToken,
    credentials: {
      SELLING_PARTNER_APP_CLIENT_ID: DEMO_CLIENT_ID,
      SELLING_PARTNER_APP_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    },
    options: { https_proxy_agent: agent, debug_log: false },
  };
  return new SellingPartner(config as ConstructorParameters<typeof SellingPartner>[0]);
}

const drift = DEMO_ACCOUNTS.find((a) => a.scenario === 'odr-drift')!;
const ip = DEMO_ACCOUNTS.find((a) => a.scenario === 'ip-complaints')!;
const revoked = DEMO_ACCOUNTS.find((a) => a.scenario === 'revoked')!;

describe('amazon-sp-api 1.2.1 against the simulator', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ reportProcessingMs: 200, rateScale: 1000 });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('downloads a seller performance report end to end', async () => {
    const sp = client(sim, ip);
    const text = await sp.downloadReport({
      body: { reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT', marketplaceIds: ip.marketplaceIds },
      interval: 100,
    });
    const doc = JSON.parse(String(text)) as SellerPerformanceDocument;
    expect(doc).toEqual(sim.state.currentDocument(ip.sellerId));
    const counters = sim.state.counters().bySeller[ip.sellerId];
    expect(counters).toMatchObject({ token: 1, createReport: 1, getReportDocument: 1, downloadDocument: 1 });
  });

  it('lists reports with comma-encoded filters and refreshes an expired token by itself', async () => {
    const sp = client(sim, drift);
    await sp.downloadReport({
      body: { reportType: 'GET_V2_SELLER_PERFORMANCE_REPORT', marketplaceIds: drift.marketplaceIds },
      interval: 100,
    });
    sim.state.advanceClock({ hours: 2 });
    const listed = (await sp.callAPI({
      operation: 'getReports',
      endpoint: 'reports',
      query: {
        reportTypes: ['GET_V2_SELLER_PERFORMANCE_REPORT', 'GET_MERCHANT_LISTINGS_ALL_DATA'],
        processingStatuses: ['DONE', 'IN_QUEUE'],
      },
    })) as { reports: { processingStatus: string }[] };
    expect(listed.reports.map((r) => r.processingStatus)).toEqual(['DONE']);
    expect(sim.state.counters().bySeller[drift.sellerId]?.token).toBe(2);

    const participations = (await sp.callAPI({
      operation: 'getMarketplaceParticipations',
      endpoint: 'sellers',
    })) as { marketplace: { id: string } }[];
    expect(participations.map((p) => p.marketplace.id)).toEqual(drift.marketplaceIds);
  });

  it('retries a throttled call after the rate the header announces', async () => {
    sim.state.injectFault({ type: 'throttle', operation: 'getMarketplaceParticipations', count: 1 });
    const sp = client(sim, drift);
    const participations = (await sp.callAPI({
      operation: 'getMarketplaceParticipations',
      endpoint: 'sellers',
    })) as unknown[];
    expect(participations).toHaveLength(1);
    expect(sim.state.counters().throttledByOperation).toEqual({ getMarketplaceParticipations: 1 });
  });

  it('runs a Data Kiosk query end to end through the app’s transport agent', async () => {
    const agent = createLocalTransportAgent(sim.url);
    try {
      const sp = client(sim, drift, agent);
      sim.state.advanceClock({ days: 5 });
      const text = accountHealthQuery({
        startDate: dayBefore(sim, 3),
        endDate: dayBefore(sim, 1),
        marketplaceIds: drift.marketplaceIds,
        byChannel: true,
      });
      const { queryId } = (await sp.callAPI({
        operation: 'createQuery',
        endpoint: 'dataKiosk',
        body: { query: text },
      })) as { queryId: string };
      let query: QueryView;
      do {
        await new Promise((resolve) => setTimeout(resolve, 50));
        query = (await sp.callAPI({
          operation: 'getQuery',
          endpoint: 'dataKiosk',
          path: { queryId },
        })) as QueryView;
      } while (query.processingStatus !== 'DONE');
      const document = (await sp.callAPI({
        operation: 'getDocument',
        endpoint: 'dataKiosk',
        path: { documentId: query.dataDocumentId },
      })) as { documentId: string; documentUrl: string };
      expect(document.documentId).toBe(query.dataDocumentId);

      // download() goes through the agent (downloadStream would not); no compressionAlgorithm: plain text.
      const lines = String(await sp.download({ url: document.documentUrl }));
      const rows = lines
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
      expect(rows).toHaveLength(3);
      expect(rows).toEqual((sim.state.dataKioskRows(drift.sellerId, text) as { rows: unknown[] }).rows);
      // A streaming GET of the same URL through the same agent reads the same lines.
      expect(await streamThrough(agent, document.documentUrl)).toBe(lines);

      const cancelled = await sp
        .callAPI({ operation: 'cancelQuery', endpoint: 'dataKiosk', path: { queryId: '1' } })
        .catch((e: unknown) => e);
      expect(cancelled).toMatchObject({ code: 'NotFound' });
      sim.state.setAnalyticsAccess(drift.sellerId, false);
      await expect(
        sp.callAPI({ operation: 'createQuery', endpoint: 'dataKiosk', body: { query: text } }),
      ).rejects.toMatchObject({ code: 'Unauthorized', message: 'Access to requested resource is denied.' });
      expect(sim.state.counters().bySeller[drift.sellerId]).toMatchObject({
        createQuery: 2,
        getDocument: 1,
        downloadDocument: 2,
        cancelQuery: 1,
      });
    } finally {
      agent.destroy();
    }
  });

  it('surfaces invalid_grant for a revoked seller', async () => {
    const sp = client(sim, revoked);
    await expect(
      sp.callAPI({ operation: 'getMarketplaceParticipations', endpoint: 'sellers' }),
    ).rejects.toMatchObject({
      code: 'invalid_grant',
    });
  });
});

function dayBefore(sim: RunningSimulator, days: number): string {
  return new Date(sim.state.now().getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

function streamThrough(agent: https.Agent, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}
