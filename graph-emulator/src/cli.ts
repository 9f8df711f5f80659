// `node dist/src/cli.js <command>`: see src/cli/run.ts.
import { runCli } from './cli/run';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
