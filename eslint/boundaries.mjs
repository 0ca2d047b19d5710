/**
 * Kaihu's import boundaries, as one ESLint rule (`kaihu/boundaries`):
 * - a module of the API (`api/src/modules/<name>/`) reaches another module only through that
 *   module's `index.ts`, never its files (`module.ts`, the tables, resolvers and steps it hands the
 *   composition root, and `testing/`, helpers for tests, are the two other entry points);
 * - the Angular app never imports the server (`api/`);
 * - `@kaihu/domain` is browser-safe: no Node built-ins.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const MODULES = path.join(ROOT, 'api', 'src', 'modules') + path.sep;
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** `<name>` of `api/src/modules/<name>/…`, or null outside the modules. */
function moduleOf(file) {
  return file.startsWith(MODULES) ? file.slice(MODULES.length).split(path.sep)[0] : null;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: "Kaihu's module, front-end and domain import boundaries" },
    messages: {
      moduleInternals:
        "'{{spec}}' reaches into the {{target}} module's files: import what it exposes from '{{index}}' (its index.ts)",
      webImportsServer: "the Angular app must not import the server ('{{spec}}'): put shared rules in @kaihu/domain",
      domainNode: "@kaihu/domain is browser-safe: no Node built-in ('{{spec}}')",
    },
    schema: [],
  },
  create(context) {
    const file = path.resolve(context.filename);
    const inDomain = file.startsWith(path.join(ROOT, 'packages', 'domain') + path.sep);
    const inWeb = file.startsWith(path.join(ROOT, 'web-angular', 'src') + path.sep);
    const fromModule = moduleOf(file);
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (inDomain && BUILTINS.has(spec)) return context.report({ node, messageId: 'domainNode', data: { spec } });
      if (!spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      if (inWeb && target.startsWith(path.join(ROOT, 'api') + path.sep)) {
        return context.report({ node, messageId: 'webImportsServer', data: { spec } });
      }
      const toModule = moduleOf(target + path.sep);
      if (!toModule || toModule === fromModule) return;
      const rest = target.slice(MODULES.length + toModule.length);
      if (['', 'index', 'module', 'testing', 'testing/index'].map((r) => (r ? path.sep + r : r)).includes(rest)) return;
      const index = path.relative(path.dirname(file), path.join(MODULES, toModule)) || '.';
      context.report({
        node,
        messageId: 'moduleInternals',
        data: { spec, target: toModule, index: index.startsWith('.') ? index : `./${index}` },
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression: (node) =>
        node.callee.type === 'Identifier' &&
        node.callee.name === 'require' &&
        node.arguments[0]?.type === 'Literal' &&
        check(node.arguments[0], node.arguments[0].value),
    };
  },
};

export default { rules: { boundaries: rule } };
