/** `npm start`: configuration from the environment, boot, and graceful shutdown on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from './config.ts';
import { startWarden } from './server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`warden: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const warden = await startWarden(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    warden.deps.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    warden.close().then(
      () => process.exit(0),
      (err) => {
        warden.deps.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  console.error('warden: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
