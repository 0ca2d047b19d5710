import { ConfigError, loadConfig, redactUrl } from './config';

describe('configuration', () => {
  it('defaults to the embedded database in demo mode on port 4000', () => {
    const c = loadConfig({}, '/srv/kaihu');
    expect(c).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: null,
      dataDir: '/srv/kaihu/data',
      demo: true,
      logLevel: 'info',
      introspection: true,
    });
    expect(c.plugins).toEqual({
      counter: '@kaihu/counter-local',
      sms: '@kaihu/sms-outbox',
      documents: '@kaihu/storage-fs',
      brokers: '@kaihu/broker-demo',
    });
  });

  it('turns demo mode off by default with PostgreSQL, and on when asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db', KAIHU_DEMO: '1' }).demo).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'an integer from 0 to 65535'],
    [{ PORT: '70000' }, 'PORT', 'an integer from 0 to 65535'],
    [{ DATABASE_URL: 'mysql://root@localhost/x' }, 'DATABASE_URL', 'postgres: or postgresql:'],
    [{ REDIS_URL: 'nope' }, 'REDIS_URL', 'redis: or rediss:'],
    [{ KAIHU_DEMO: 'maybe' }, 'KAIHU_DEMO', '1, true'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'fatal, error'],
    [{ KAIHU_PLUGINS: 'camera=@x/y' }, 'KAIHU_PLUGINS', 'kind one of counter'],
    [{ KAIHU_PLUGIN_SMS_OPTIONS: '[1]' }, 'KAIHU_PLUGIN_SMS_OPTIONS', 'a JSON object'],
    [
      { NODE_ENV: 'production', KAIHU_DEMO: '1', DATABASE_URL: 'postgresql://h/db' },
      'KAIHU_DEMO',
      'NODE_ENV=production',
    ],
    [{ KAIHU_SECRET: 'short' }, 'KAIHU_SECRET', 'at least 32 characters'],
    [
      { NODE_ENV: 'production', DATABASE_URL: 'postgresql://h/db' },
      'KAIHU_SECRET',
      'required when NODE_ENV=production',
    ],
    [{ KAIHU_SFU: 'cloud' }, 'KAIHU_SFU', 'embedded or remote'],
    [{ KAIHU_SFU: 'remote', DATABASE_URL: 'postgresql://h/db' }, 'KAIHU_SFU_SECRET', 'required with KAIHU_SFU=remote'],
    [{ KAIHU_SFU: 'remote', KAIHU_SFU_SECRET: '0123456789abcdef' }, 'KAIHU_SFU', 'DATABASE_URL'],
    [{ KAIHU_SFU_SECRET: 'short' }, 'KAIHU_SFU_SECRET', 'at least 16 characters'],
    [{ KAIHU_WITNESS_RECORDING_MIN_SECONDS: '-1' }, 'KAIHU_WITNESS_RECORDING_MIN_SECONDS', 'an integer from 0'],
    [{ KAIHU_WITNESS_REQUIRE_RECORDING: 'perhaps' }, 'KAIHU_WITNESS_REQUIRE_RECORDING', '1, true'],
    [{ KAIHU_WITNESS_TIMEOUT_MS: '10' }, 'KAIHU_WITNESS_TIMEOUT_MS', 'an integer from 1000'],
    [{ KAIHU_CLOCK_START: 'next monday' }, 'KAIHU_CLOCK_START', 'an ISO 8601 instant'],
    [{ KAIHU_CLOCK_START: '2026-13-40T00:00:00Z' }, 'KAIHU_CLOCK_START', 'an ISO 8601 instant'],
    [
      { NODE_ENV: 'production', KAIHU_SECRET: 'x'.repeat(32), KAIHU_CLOCK_START: '2026-11-23T02:00:00Z' },
      'KAIHU_CLOCK_START',
      'NODE_ENV=production',
    ],
  ])('refuses %j naming %s', (env, variable, allowed) => {
    let error: unknown;
    try {
      loadConfig(env as Record<string, string>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`${variable}=`);
    expect(message).toContain(allowed);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('runs the witness media embedded, recorded and required by default', () => {
    const c = loadConfig({ KAIHU_DATA_DIR: '/srv/kaihu' });
    expect(c.witness).toMatchObject({
      sfuMode: 'embedded',
      sfuSecret: null,
      recordingDir: '/srv/kaihu/recordings',
      recordingMinSeconds: 30,
      requireRecording: true,
      sessionTimeoutMs: 1800000,
    });
  });

  it('is not in demo mode in production by default', () => {
    const secret = 'x'.repeat(32);
    expect(
      loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://h/db', KAIHU_SECRET: secret }),
    ).toMatchObject({ demo: false, introspection: false, secret });
  });

  it('never prints a database password', () => {
    expect(redactUrl('postgresql://kaihu:s3cret@db:5432/kaihu')).toBe('postgresql://kaihu:***@db:5432/kaihu');
    expect(() => loadConfig({ DATABASE_URL: 'http://kaihu:s3cret@db/x' })).toThrow(/kaihu:\*\*\*@db/);
  });

  it('starts the clock where KAIHU_CLOCK_START says, and on the real time without it', () => {
    expect(loadConfig({}).clockStart).toBeNull();
    expect(loadConfig({ KAIHU_CLOCK_START: '2026-11-23T02:00:00Z' }).clockStart).toEqual(
      new Date('2026-11-23T02:00:00Z'),
    );
  });

  it('selects plugins and their options', () => {
    const c = loadConfig({ KAIHU_PLUGINS: 'sms=@acme/sms', KAIHU_PLUGIN_SMS_OPTIONS: '{"sender":"ACME"}' });
    expect(c.plugins.sms).toBe('@acme/sms');
    expect(c.plugins.counter).toBe('@kaihu/counter-local');
    expect(c.pluginOptions.sms).toEqual({ sender: 'ACME' });
  });
});

describe('abuse limits and idempotency configuration', () => {
  it('has defaults, reads overrides and refuses bad values', () => {
    expect(loadConfig({}).limits).toMatchObject({
      maxDepth: 12,
      maxComplexity: 10000,
      maxBatch: 10,
      trustProxy: false,
      idempotencyTtlHours: 24,
      rateWindowSeconds: 600,
      codePerIp: 20,
      codePerKey: 60,
      loginPerIp: 30,
      loginPerKey: 100,
    });
    expect(loadConfig({ KAIHU_TRUST_PROXY: 'loopback, 10.0.0.0/8', KAIHU_MAX_BATCH: '0' }).limits).toMatchObject({
      trustProxy: 'loopback,10.0.0.0/8',
      maxBatch: 0,
    });
    expect(loadConfig({ KAIHU_TRUST_PROXY: '2' }).limits.trustProxy).toBe(2);
    expect(() => loadConfig({ KAIHU_TRUST_PROXY: 'everyone' })).toThrow(/KAIHU_TRUST_PROXY/);
    expect(() => loadConfig({ KAIHU_MAX_QUERY_DEPTH: '0' })).toThrow(/KAIHU_MAX_QUERY_DEPTH/);
    expect(() => loadConfig({ KAIHU_RATE_CODE_PER_IP: 'many' })).toThrow(/KAIHU_RATE_CODE_PER_IP/);
  });
});
