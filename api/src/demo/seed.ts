import type { EntityManager } from '@mikro-orm/postgresql';
import { isSeedableCounter } from '@kaihu/plugin-api';
import type { Logger } from '../common/logger';
import type { Services } from '../services';

/**
 * Seeds the demo data the BrokerPack carries (demo mode only): counter customers, staff with
 * hashed passwords, partner API keys. Idempotent: existing rows are kept, so a restart does not
 * undo what a demo user changed.
 */
export async function seedDemo(em: EntityManager, services: Services, log: Logger): Promise<void> {
  const pack = services.plugins.brokers;
  if (!pack.demoData) {
    log.warn('demo mode is on but the BrokerPack has no demo data');
    return;
  }
  const data = await pack.demoData();
  const counter = services.plugins.counter;
  if (isSeedableCounter(counter)) {
    // Only customers the counter does not know yet: a restart must not undo approved changes.
    const missing = [];
    for (const c of data.customers) {
      if (!(await counter.findCustomer(c.brokerCode, c.profile.idNumber, c.accountTypes[0]!))) missing.push(c);
    }
    if (missing.length) await counter.upsertCustomers(missing);
  } else
    log.warn(
      { counter: services.plugins.names.counter },
      'the counter plugin cannot be seeded; demo customers skipped',
    );

  let staff = 0;
  for (const s of data.staff) {
    // kept as they are (an admin may have renamed their branch or reset their password)
    if (await services.auth.staffExists(em, s.username)) continue;
    const broker = await services.brokers.findByCode(em, s.brokerCode);
    if (!broker) throw new Error(`demo staff ${s.username}: unknown broker ${s.brokerCode}`);
    const branch = s.branchName ? await services.brokers.findBranch(em, broker.id, { name: s.branchName }) : null;
    if (s.branchName && !branch) throw new Error(`demo staff ${s.username}: unknown branch ${s.branchName}`);
    if (
      await services.auth.ensureStaff(em, {
        username: s.username,
        password: s.password,
        displayName: s.displayName,
        roles: s.roles,
        brokerId: broker.id,
        branchId: branch?.id ?? null,
        licenseNo: s.licenseNo ?? null,
      })
    )
      staff++;
  }
  let keys = 0;
  for (const k of data.partnerKeys) {
    const broker = await services.brokers.findByCode(em, k.brokerCode);
    if (!broker) throw new Error(`demo partner key ${k.name}: unknown broker ${k.brokerCode}`);
    if (await services.auth.ensureApiKey(em, { key: k.key, name: k.name, brokerId: broker.id })) keys++;
  }
  log.info({ customers: data.customers.length, staffCreated: staff, apiKeysCreated: keys }, 'demo data seeded');
}
