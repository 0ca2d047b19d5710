import {
  asPlugin,
  type BrokerPack,
  type Clock,
  type CounterSystem,
  type DocumentStore,
  type KaihuPlugin,
  type PluginKind,
  type SmsGateway,
  type SqlClient,
} from '@kaihu/plugin-api';
import type { KaihuConfig } from '../config';
import type { Logger } from '../common/logger';

/** The plugin instances of this deployment, one per slot. */
export interface Plugins {
  counter: CounterSystem;
  sms: SmsGateway;
  documents: DocumentStore;
  brokers: BrokerPack;
  /** package name per slot, for logs and /healthz */
  names: Record<PluginKind, string>;
}

const KINDS: PluginKind[] = ['counter', 'sms', 'documents', 'brokers'];

/** Loads the selected plugin packages (their migrations are needed before the database opens). */
export function loadPluginModules(config: Pick<KaihuConfig, 'plugins'>): KaihuPlugin[] {
  return KINDS.map((kind) => {
    const pkg = config.plugins[kind];
    let mod: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(pkg);
    } catch (e) {
      throw new Error(`cannot load the ${kind} plugin "${pkg}": ${(e as Error).message.split('\n')[0]}`);
    }
    return asPlugin(mod, kind, pkg);
  });
}

/** Instantiates each plugin with its context. */
export async function createPlugins(
  modules: KaihuPlugin[],
  deps: { db: SqlClient; dataDir: string; clock: Clock; logger: Logger; config: Pick<KaihuConfig, 'pluginOptions'> },
): Promise<Plugins> {
  const out: Partial<Record<PluginKind, unknown>> = {};
  const names = {} as Record<PluginKind, string>;
  for (const plugin of modules) {
    out[plugin.kind] = await plugin.create({
      db: deps.db,
      dataDir: deps.dataDir,
      clock: deps.clock,
      logger: deps.logger.child({ plugin: plugin.name }),
      options: deps.config.pluginOptions[plugin.kind] ?? {},
    });
    names[plugin.kind] = plugin.name;
  }
  return {
    counter: out.counter as CounterSystem,
    sms: out.sms as SmsGateway,
    documents: out.documents as DocumentStore,
    brokers: out.brokers as BrokerPack,
    names,
  };
}
