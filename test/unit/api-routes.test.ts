// The API route table, its OpenAPI document, the loopback rule and the metrics registry,
// without a node.
import { describe, expect, it } from 'vitest';
import { apiRoutes, openApiDocument, routePath, type RouteSpec } from '../../shared/api/index.js';
import { isLoopback } from '../../electron/node/api/http-server.js';
import { nodeMetrics } from '../../electron/node/api/metrics.js';
import { matchRoute } from '../../electron/node/api/router.js';

const counters = (accepted: number) => ({
  accepted,
  ignored: 1,
  rejected: 2,
  dropped: 0,
  handlerErrors: 0,
  published: 0,
  reasons: {},
});

describe('API routes', () => {
  it('matches a route with a percent-encoded object id holding a slash', () => {
    const match = matchRoute('GET', '/api/v1/properties/BY%2F7%2F0001/history');
    expect(match).toMatchObject({ name: 'propertyHistory', params: { id: 'BY/7/0001' } });
  });

  it('matches only the declared method and the full path', () => {
    expect(matchRoute('POST', '/api/v1/receipts/ab')).toBeUndefined();
    expect(matchRoute('GET', '/api/v1/receipts')).toBeUndefined();
    expect(matchRoute('GET', '/metrics')?.name).toBe('metrics');
    expect(matchRoute('GET', '/api/v1/search?q=x')?.query.get('q')).toBe('x');
  });

  it('documents every route with its parameters, the bearer scheme and the error body', () => {
    const document = openApiDocument() as {
      openapi: string;
      security: unknown[];
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ name: string }>; responses: Record<string, unknown> }>
      >;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.security).toEqual([{ bearer: [] }]);
    for (const route of Object.values(apiRoutes) as RouteSpec[]) {
      const operation = document.paths[routePath(route)]?.[route.method.toLowerCase()];
      expect(operation, route.path).toBeDefined();
      expect(Object.keys(operation!.responses)).toContain(String(route.status));
      expect(Object.keys(operation!.responses)).toContain('401');
      const names = (operation!.parameters ?? []).map((parameter) => parameter.name).sort();
      expect(names).toEqual([...Object.keys(route.params ?? {}), ...Object.keys(route.query ?? {})].sort());
    }
  });
});

describe('the loopback rule', () => {
  it('admits 127.0.0.0/8 and ::1, also IPv4-mapped, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(isLoopback(address), address).toBe(true);
    for (const address of ['10.0.0.1', '192.168.1.5', '::ffff:10.0.0.1', 'fe80::1', '1127.0.0.1', '', undefined])
      expect(isLoopback(address), String(address)).toBe(false);
  });
});

describe('node metrics', () => {
  it('reads every figure from the node when scraped, on its own registry', async () => {
    const metrics = nodeMetrics(
      {
        height: () => 42,
        peers: () => 3,
        mempool: () => ({ size: 5, bytes: 1_234 }),
        outboxPending: () => 2,
        consensusRound: () => 1,
        syncing: () => true,
        network: () => ({
          tx: counters(7),
          txs: counters(10),
          consensus: counters(8),
          block: counters(9),
          sync: { served: 0, refused: 0, requested: 0, failed: 0 },
          links: { repaired: 3 },
        }),
        missedVotes: () => Promise.resolve([{ key: 'ab'.repeat(32), name: 'Notary office 17', missed: 4 }]),
        clockOffset: () => ({ offsetMs: -31_500, samples: 7 }),
      },
      { processMetrics: false },
    );
    const { text, contentType } = await metrics.scrape();
    expect(contentType).toMatch(/^text\/plain/);
    for (const line of [
      'notary_chain_height 42',
      'notary_peers 3',
      'notary_mempool_transactions 5',
      'notary_mempool_bytes 1234',
      'notary_outbox_pending 2',
      'notary_consensus_round 1',
      'notary_syncing 1',
      'notary_clock_offset_seconds -31.5',
      'notary_clock_samples 7',
    ]) {
      expect(text).toContain(`\n${line}\n`);
    }
    expect(text).toContain('notary_gossip_messages_total{topic="block",outcome="accepted"} 9');
    expect(text).toContain('notary_gossip_messages_total{topic="tx",outcome="rejected"} 2');
    expect(text).toContain('notary_gossip_link_repairs_total 3');
    expect(text).toContain(`notary_validator_missed_votes{validator="${'ab'.repeat(8)}",name="Notary office 17"} 4`);
    // A second scrape mirrors the totals again instead of adding them up.
    expect((await metrics.scrape()).text).toContain('notary_gossip_messages_total{topic="block",outcome="accepted"} 9');
  });
});

describe('path parameters', () => {
  it('reads a block height as decimal digits only', () => {
    const height = apiRoutes.block.params.height;
    expect(height.parse('0')).toBe(0);
    expect(height.parse('123')).toBe(123);
    for (const bad of ['0x10', '-1', '1.5', '1e3', ' 1', '99999999999999999'])
      expect(height.safeParse(bad).success, bad).toBe(false);
  });

  it('documents the block height as the string the client sends', () => {
    const document = openApiDocument() as {
      paths: Record<string, Record<string, { parameters: Array<{ schema: { type?: string; pattern?: string } }> }>>;
    };
    expect(document.paths['/api/v1/blocks/{height}']!.get!.parameters[0]!.schema).toMatchObject({
      type: 'string',
      pattern: '^\\d{1,16}$',
    });
  });
});
