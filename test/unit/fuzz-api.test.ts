// Fuzz of every API route over HTTP against one real node (a dev chain, LevelDB, libp2p,
// consensus): mutated path parameters, queries, bodies (structural mutations of valid
// transactions and drafts, broken JSON, oversized bodies, wrong content types), wrong methods,
// unknown paths, missing or wrong tokens. Every answer comes in time; every refusal is a 4xx
// JSON error with a code (never a 5xx); only a request valid for a read-only route may succeed;
// the node's mempool, inbox, outbox, evidence and network switch are unchanged at the end.
// FUZZ_SEED=N replays a run; FUZZ_SCALE=10 sends ten times as many requests.
import fc from 'fast-check';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { API_BODY_BYTES_MAX, API_PREFIX, apiRoutes, type RouteName, type RouteSpec } from '../../shared/api/index.js';
import { StateKey, type PropertyObject } from '../../shared/ledger/index.js';
import { devObjectId, devParty, devTransfer, devTransferDraft } from '../../electron/node/dev/demo-registry.js';
import { ensureDevNode } from '../../electron/node/dev/dev-node.js';
import { NotaryNode } from '../../electron/node/node.js';
import { hostileValue, mutateValue, structuralOp } from '../support/byzantine-fuzz.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 1_000_000;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const REQUESTS = Math.round(10_000 * SCALE);
const CONCURRENCY = 16;
const ANSWER_TIMEOUT_MS = 20_000;

let dir: string;
let node: NotaryNode;
let token: string;
let inboxId: string;
const seedBodies: Partial<Record<RouteName, unknown[]>> = {};
const seedParams: Record<string, string[]> = {};
const tally = {
  sent: 0,
  ok: 0,
  byRoute: {} as Record<string, number>,
  byStatus: {} as Record<string, number>,
  byCode: {} as Record<string, number>,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-fuzz-api-'));
  const { passphrase } = await ensureDevNode(dir);
  node = await NotaryNode.start({ dataDir: dir, passphrase, uiDir: null, logger: pino({ level: 'silent' }) });
  token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
  for (const deadline = Date.now() + 15_000; node.chain.head.height < 1 && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 50));
  const parties = Array.from({ length: 50 }, (_, i) => devParty(i));
  const identity = await call('GET', '/identity');
  const txs: unknown[] = [];
  const drafts: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    const record = (await node.chain.getRecord(StateKey.object(devObjectId(i)))) as PropertyObject;
    const buyer =
      parties[(parties.findIndex((party) => party.publicKey === record.owners[0]!.key) + 1) % parties.length]!;
    // Signed by a key that is no notary of this chain: even unmutated it is refused (NOTARY_NOT_ACTIVE), never admitted.
    txs.push(
      devTransfer(record, buyer, parties, {
        chainId: node.chain.chainId,
        nowMs: Date.now(),
        nonce: 900 + i,
        notary: devParty(49),
      }),
    );
    drafts.push(
      devTransferDraft(record, buyer, parties, {
        chainId: node.chain.chainId,
        nowMs: Date.now(),
        nonce: 800 + i,
        notaryKey: (identity.json as { publicKey: string }).publicKey,
      }),
    );
  }
  // One contract waits in the inbox, so the inbox routes see an id that exists.
  const added = await call('POST', '/inbox', JSON.stringify(drafts[0]));
  expect(added.status).toBe(201);
  inboxId = (added.json as { id: string }).id;
  seedBodies.submit = txs;
  seedBodies.inboxAdd = drafts;
  seedBodies.setNetwork = [{ offline: true }, { offline: false }];
  seedBodies.inboxCertify = [{}];
  seedBodies.inboxRemove = [{}];
  seedParams.txHash = ['0'.repeat(64), 'ab'.repeat(32)];
  seedParams.height = ['0', '1', String(node.chain.head.height), '9007199254740991'];
  seedParams.id = [devObjectId(0), devObjectId(299), inboxId];
});

afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
  console.log(`fuzz-api seed=${SEED} ${JSON.stringify(tally)}`);
});

async function call(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown; text: string }> {
  const response = await fetch(`${node.apiUrl}${path.startsWith('/metrics') ? '' : API_PREFIX}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** JSON for any hostile value: bigints and bytes become what a JSON sender would send. */
function toJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array ? Array.from(v) : v,
    ) ?? 'null'
  );
}

const names = Object.keys(apiRoutes) as RouteName[];
const hostileSegment = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    '..',
    '.',
    '%',
    '%zz',
    '%00',
    '%2F',
    '-1',
    '1e3',
    '0x10',
    '00000000000000001',
    ' 1',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    'a'.repeat(5000),
    'BY-DEV-000000%2F..',
    '😀',
  ),
  fc.stringMatching(/^[0-9a-f]{1,70}$/),
  fc.stringMatching(/^[0-9A-F]{64}$/),
);

interface FuzzRequest {
  name: RouteName;
  method: string;
  path: string;
  body: string | undefined;
  headers: Record<string, string>;
  /** Params, query and body all pass the route's schemas (the request may legitimately succeed). */
  valid: boolean;
}

function pathOf(route: RouteSpec, params: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? '');
}

function requestArb(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      name: fc.constantFrom(...names),
      paramPicks: fc.array(fc.tuple(fc.boolean(), fc.nat(), hostileSegment, fc.boolean()), {
        minLength: 3,
        maxLength: 3,
      }),
      query: fc.array(
        fc.tuple(
          fc.oneof(fc.constantFrom('before', 'limit', 'q'), fc.string({ maxLength: 6 })),
          fc.oneof(hostileSegment, fc.nat().map(String)),
        ),
        { maxLength: 3 },
      ),
      bodyKind: fc.constantFrom('mutated', 'mutated', 'mutated', 'hostile', 'broken', 'none', 'huge'),
      bodyPick: fc.nat(),
      ops: fc.array(structuralOp, { minLength: 1, maxLength: 3 }),
      hostile: hostileValue,
      cut: fc.nat(),
      method: fc.oneof(
        { weight: 17, arbitrary: fc.constant('route') },
        { weight: 3, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'GET', 'POST', 'HEAD', 'OPTIONS') },
      ),
      header: fc.oneof(
        { weight: 20, arbitrary: fc.constant('none') },
        { weight: 4, arbitrary: fc.constantFrom('text/plain', 'json-charset') },
        { weight: 2, arbitrary: fc.constantFrom('no-token', 'bad-token') },
      ),
      extraSegment: fc.oneof({ weight: 19, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileSegment }),
    })
    .map((r) => {
      const route = apiRoutes[r.name] as RouteSpec;
      let valid = true;
      const params: Record<string, string> = {};
      Object.keys(route.params ?? {}).forEach((name, i) => {
        const [useSeed, pick, hostile, encode] = r.paramPicks[i % 3]!;
        const seeds = seedParams[name] ?? [''];
        const raw = useSeed ? seeds[pick % seeds.length]! : hostile;
        params[name] = encode ? encodeURIComponent(raw) : raw.replace(/[/?#]/g, '_');
        const decoded = (() => {
          try {
            return decodeURIComponent(params[name]!);
          } catch {
            return undefined;
          }
        })();
        if (decoded === undefined || params[name] === '' || !route.params![name]!.safeParse(decoded).success)
          valid = false;
      });
      const search = new URLSearchParams();
      for (const [key, value] of r.query) search.append(key, value);
      for (const [key, type] of Object.entries(route.query ?? {}))
        if (!(type as z.ZodType).safeParse(search.get(key) ?? '').success) valid = false;
      let path = pathOf(route, params) + (r.extraSegment === null ? '' : `/${encodeURIComponent(r.extraSegment)}`);
      if (r.extraSegment !== null) valid = false;
      if ([...search.keys()].length > 0) path += `?${search.toString()}`;
      let body: string | undefined;
      if (route.method === 'POST' || r.method === 'POST') {
        const seeds = seedBodies[r.name] ?? [{}];
        const seed = seeds[r.bodyPick % seeds.length];
        switch (r.bodyKind) {
          case 'mutated':
            body = toJson(
              r.ops.reduce((value, op) => mutateValue(value, op), JSON.parse(JSON.stringify(seed)) as unknown),
            );
            break;
          case 'hostile':
            body = toJson(r.hostile);
            break;
          case 'broken': {
            const text = JSON.stringify(seed);
            body = text.slice(0, r.cut % Math.max(1, text.length));
            break;
          }
          case 'huge':
            body = JSON.stringify({ pad: 'x'.repeat(API_BODY_BYTES_MAX + 1 + (r.cut % 1000)) });
            break;
          case 'none':
            body = undefined;
        }
        if (route.body && route.method === 'POST') {
          let parsed: unknown;
          try {
            // a route whose body carries nothing (certify, remove) takes no body as {} (issue 12)
            if ((body === undefined || body === '') && route.body.safeParse({}).success) parsed = {};
            else parsed = body === undefined ? undefined : JSON.parse(body);
          } catch {
            parsed = Symbol('unparseable');
          }
          if (!route.body.safeParse(parsed).success) valid = false;
        }
      }
      const method = r.method === 'route' ? route.method : r.method;
      if (method !== route.method) valid = false;
      const headers: Record<string, string> = {};
      if (r.header === 'text/plain') headers['content-type'] = 'text/plain';
      if (r.header === 'json-charset') headers['content-type'] = 'application/json; charset=utf-8';
      if (r.header === 'no-token') headers.authorization = '';
      if (r.header === 'bad-token') headers.authorization = `Bearer ${'0'.repeat(token.length)}`;
      if (r.header === 'no-token' || r.header === 'bad-token') valid = false;
      return {
        name: r.name,
        method,
        path,
        body: method === 'GET' || method === 'HEAD' ? undefined : body,
        headers,
        valid,
      };
    });
}

/** What the node holds that no refused request may change (its height goes on). */
async function snapshot() {
  const status = (await call('GET', '/status')).json as { mempool: unknown; outbox: unknown; online: boolean };
  return {
    mempool: status.mempool,
    outbox: (await call('GET', '/outbox')).json,
    inbox: (await call('GET', '/inbox')).json,
    evidence: (await call('GET', '/evidence')).json,
    offline: status.online === false ? 'maybe' : 'online',
  };
}

describe('fuzzed API requests over HTTP', () => {
  it(`${REQUESTS}+ refused requests over every route: each a 4xx JSON error with a code, none changes the node`, async () => {
    const before = await snapshot();
    // about 40 % are read-only GETs answered 200; 2x the target leaves a margin for refusals
    const requests = fc.sample(requestArb(), { numRuns: REQUESTS * 2, seed: SEED });
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        // A request valid for a route that writes might legitimately change the node: not sent. Submissions
        // are: their transactions are signed by a key that is no notary here, so none can be admitted.
        if (request.valid && apiRoutes[request.name].method === 'POST' && request.name !== 'submit') continue;
        tally.sent++;
        tally.byRoute[request.name] = (tally.byRoute[request.name] ?? 0) + 1;
        let answer;
        try {
          answer = await call(request.method, request.path, request.body, request.headers);
        } catch (error) {
          failures.push(`${request.method} ${request.path.slice(0, 120)}: no answer (${String(error)})`);
          continue;
        }
        tally.byStatus[answer.status] = (tally.byStatus[answer.status] ?? 0) + 1;
        if (answer.status < 400) {
          tally.ok++;
          // A GET is read-only: extra query keys are ignored and an extra segment may name another route.
          if (request.method !== 'GET')
            failures.push(
              `${request.method} ${request.path.slice(0, 120)} ${request.body?.slice(0, 120)}: ${answer.status} for an invalid request`,
            );
          continue;
        }
        const code = (answer.json as { error?: { code?: unknown } } | undefined)?.error?.code;
        if (process.env.FUZZ_DEBUG && answer.status === 404 && Math.random() < 0.003)
          console.log('404', request.method, request.path.slice(0, 100));
        // HEAD answers carry no body by definition: the status must still be a 4xx.
        if (request.method === 'HEAD' && answer.status < 500) continue;
        if (answer.status >= 500 || typeof code !== 'string')
          failures.push(
            `${request.method} ${request.path.slice(0, 120)} ${request.body?.slice(0, 200)}: ${answer.status} ${answer.text.slice(0, 200)}`,
          );
        else tally.byCode[code] = (tally.byCode[code] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures.slice(0, 10)).toEqual([]);
    expect(tally.sent - tally.ok).toBeGreaterThanOrEqual(REQUESTS); // refused with a 4xx
    const after = await snapshot();
    expect(after).toEqual(before);
    expect((after.inbox as Array<{ id: string }>).map((entry) => entry.id)).toEqual([inboxId]);
  }, 150_000);
});
