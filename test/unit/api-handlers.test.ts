// The handler map typed from the route table: one handler per route, assembled from parts, and
// the dispatcher that calls it with the route's parsed input (no route named in the router).
import { describe, expect, it } from 'vitest';
import { apiRoutes, mergeHandlers, type ApiHandlerMap, type ApiHandlerPart } from '../../shared/api/index.js';
import { dispatch, matchRoute } from '../../electron/node/api/router.js';

const unused = () => Promise.reject(new Error('not called'));
const everyRoute = Object.fromEntries(Object.keys(apiRoutes).map((name) => [name, unused])) as unknown as ApiHandlerMap;
const { search, property, ...rest } = everyRoute;

describe('the API handler map', () => {
  it('is assembled from parts that cover every route exactly once', () => {
    const map = mergeHandlers(rest, { search }, { property });
    expect(Object.keys(map).sort()).toEqual(Object.keys(apiRoutes).sort());
  });

  it('refuses, at compile time and at run time, a route without a handler or with two', () => {
    // @ts-expect-error: property has no handler
    expect(() => mergeHandlers(rest, { search })).toThrow(/property have no handler/);
    // @ts-expect-error: search has two handlers
    expect(() => mergeHandlers(rest, { search }, { property, search })).toThrow(/search has two handlers/);
    const loose: ApiHandlerPart = { ...rest, search, property, ...{ shutdown: unused } };
    expect(() => mergeHandlers(loose)).toThrow(/routes that do not exist: shutdown/);
  });

  it('calls a handler with its path and query parameters parsed by the route schemas', async () => {
    const seen: unknown[] = [];
    const handlers: ApiHandlerMap = {
      ...everyRoute,
      blocks: async (input) => {
        seen.push(input);
        return { head: 0, blocks: [] };
      },
      block: async (input) => {
        seen.push(input);
        throw new Error('stop here');
      },
    };
    const noBody = () => Promise.reject(new Error('no body on a GET'));
    expect(await dispatch(matchRoute('GET', '/api/v1/blocks?before=12')!, handlers, noBody)).toEqual({
      status: 200,
      json: { head: 0, blocks: [] },
    });
    await expect(dispatch(matchRoute('GET', '/api/v1/blocks/7')!, handlers, noBody)).rejects.toThrow('stop here');
    expect(seen).toEqual([{ query: { before: 12, limit: 20 } }, { params: { height: 7 } }]);
    await expect(dispatch(matchRoute('GET', '/api/v1/blocks/0x7')!, handlers, noBody)).rejects.toMatchObject({
      status: 400,
      code: 'MALFORMED',
    });
  });
});
