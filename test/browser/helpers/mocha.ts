/**
 * Typed access to the mocha globals @web/test-runner sets up before it imports a test file
 * (kept local so that no global `describe` leaks into the node:test suites' types).
 */
type Done = () => void | Promise<void>;
interface MochaGlobals {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: Done): void;
  before(fn: Done): void;
  beforeEach(fn: Done): void;
  afterEach(fn: Done): void;
  after(fn: Done): void;
}

const g = globalThis as unknown as MochaGlobals;
export const describe = g.describe.bind(g);
export const it = g.it.bind(g);
export const before = g.before.bind(g);
export const beforeEach = g.beforeEach.bind(g);
export const afterEach = g.afterEach.bind(g);
export const after = g.after.bind(g);
