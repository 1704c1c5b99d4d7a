/**
 * First SIGINT/SIGTERM: abort the controller so runs close their trajectories and
 * remove their containers. Second: exit at once (the dead-man and `forager gc` clean up).
 */
export function abortOnSignals(controller: AbortController, onFirst?: (signal: NodeJS.Signals) => void): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count += 1;
    if (count > 1) {
      process.stderr.write(`forager: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    onFirst?.(signal);
    controller.abort(new Error(`received ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
