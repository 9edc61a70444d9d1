import type { ChildProcess } from 'node:child_process';

/** Stops a forked bench process: it exits when its IPC channel closes (SIGTERM otherwise, SIGKILL after 5 s). */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
  });
}

/** One request and its answer at a time over a forked process's IPC channel. */
export function rpc<To, From>(child: ChildProcess, name: string): (m: To) => Promise<From> {
  return (m) =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${name} exited (code ${code})`));
      child.once('exit', onExit);
      child.once('message', (reply: From) => {
        child.off('exit', onExit);
        resolve(reply);
      });
      child.send(m as never);
    });
}
