/** `npm start`: configuration from the environment, boot, and graceful shutdown on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from './config.ts';
import { startWarden, type Warden } from './server.ts';

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
  // The handlers are in place before anything starts: a signal that comes while
  // Warden boots (migrations, the first snapshot, the certificate) is kept and
  // acted on once it is up, rather than killing the process by the default action.
  // A boot that is still not done after the shutdown timeout (say, a database
  // that never answers) is abandoned.
  let warden: Warden | undefined;
  let stopping: string | undefined;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = signal;
    if (warden) return shutdown(warden, signal);
    setTimeout(() => {
      console.error(`warden: ${signal} came while starting, and the start did not finish within ${config.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  warden = await startWarden(config);
  if (stopping) shutdown(warden, stopping);
}

function shutdown(warden: Warden, signal: string): void {
  warden.deps.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
  warden.close(warden.deps.config.shutdownDelayMs).then(
    () => process.exit(0),
    (err) => {
      warden.deps.log.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
}

main().catch((err) => {
  console.error('warden: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
