import { buildSchema, parse } from 'graphql';
import { DEFAULT_LIST_SIZE, checkCost, measureOperation } from './limits';

const schema = buildSchema(`
  type Query { me: Customer, items: [Item!]!, reviewQueue(first: Int = 50): Conn! }
  type Customer { id: ID!, name: String, tickets(first: Int): Conn! }
  type Conn { edges: [Edge!]!, totalCount: Int! }
  type Edge { node: Item! }
  type Item { id: ID!, tags: [String!]! }
`);
const measure = (q: string, vars?: Record<string, unknown>) => measureOperation(schema, parse(q), null, vars);

describe('measureOperation', () => {
  it('counts depth from the root and 1 per field', () => {
    expect(measure('{ me { id name } }')).toEqual({ depth: 2, complexity: 3 });
  });

  it('multiplies a list by 10 and a connection by its first argument (literal, variable or default), not its edges again', () => {
    expect(measure('{ items { id } }')).toEqual({ depth: 2, complexity: 1 + DEFAULT_LIST_SIZE * 1 });
    expect(measure('{ me { tickets(first: 100) { edges { node { id } } } } }')!.complexity).toBe(
      1 + (1 + 100 * (1 + (1 + 1))),
    );
    expect(measure('query ($n: Int) { me { tickets(first: $n) { totalCount } } }', { n: 7 })!.complexity).toBe(
      1 + 1 + 7,
    );
    expect(measure('{ reviewQueue { totalCount } }')!.complexity).toBe(1 + 50);
    expect(measure('{ me { tickets { totalCount } } }')!.complexity).toBe(1 + 1 + DEFAULT_LIST_SIZE);
  });

  it('measures fragments where they are spread, once each, and skips introspection fields', () => {
    expect(measure('{ ...A } fragment A on Query { me { ...B ...B } } fragment B on Customer { id }')).toEqual({
      depth: 2,
      complexity: 3,
    });
    expect(
      measure('{ __schema { types { fields { type { ofType { ofType { name } } } } } } me { __typename id } }'),
    ).toEqual({ depth: 2, complexity: 2 });
    // fragment fan-out stays cheap to measure
    const defs = Array.from(
      { length: 30 },
      (_, i) => `fragment F${i} on Query { ${i === 29 ? 'me { id }' : `...F${i + 1} ...F${i + 1}`} }`,
    ).join('\n');
    expect(measure(`{ ...F0 } ${defs}`)!.complexity).toBe(2 ** 29 * 2);
  });

  it('is refused past the limits', () => {
    const limits = { maxDepth: 2, maxComplexity: 10 };
    expect(checkCost(measure('{ me { id } }'), limits)).toBeNull();
    expect(checkCost(measure('{ me { tickets { totalCount } } }'), limits)!.extensions.code).toBe('QUERY_TOO_DEEP');
    expect(checkCost(measure('{ items { id } }'), limits)!.extensions.code).toBe('QUERY_TOO_COMPLEX');
  });
});
