// Bench helper process of opening.mjs: Kaihu (compiled, in-process, demo data) on PostgreSQL as
// server.mjs starts it, with what an account-opening run needs: a clock that starts on a Monday at
// 10:00 in Shanghai and then runs (the witness queue keeps the demo broker's service hours, whatever
// the day of the run), the witness passed without cameras (no recording is required: the call's
// media is not what this benchmark measures), and the counter's trading-code delay. Prints
// `ready {"kaihu":…}`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { startServer } = require('../../api/dist/server.js');
const { loadConfig } = require('../../api/dist/config.js');
const { createLogger } = require('../../api/dist/common/logger.js');

const config = loadConfig({
  PORT: '0',
  DATABASE_URL: process.env.DATABASE_URL,
  KAIHU_DEMO: '1',
  LOG_LEVEL: 'silent',
  KAIHU_DATA_DIR: process.env.KAIHU_DATA_DIR,
  KAIHU_RATE_CODE_PER_IP: '100000000',
  KAIHU_RATE_LOGIN_PER_IP: '100000000',
  KAIHU_RATE_CODE_PER_KEY: '100000000',
  KAIHU_RATE_LOGIN_PER_KEY: '100000000',
  KAIHU_CLOCK_START: process.env.KAIHU_CLOCK_START ?? '2026-11-23T02:00:00Z',
  KAIHU_WITNESS_REQUIRE_RECORDING: 'false',
  KAIHU_PLUGIN_COUNTER_OPTIONS: process.env.KAIHU_PLUGIN_COUNTER_OPTIONS ?? '{"tradingCodeDelayMs":3000}',
});
const kaihu = await startServer({ config, logger: createLogger('silent') });
process.stdout.write(`ready ${JSON.stringify({ kaihu: kaihu.url })}\n`);
process.on('SIGTERM', async () => {
  await kaihu.stop();
  process.exit(0);
});
