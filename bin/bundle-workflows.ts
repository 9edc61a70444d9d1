/** Build step (`node dist/bin/bundle-workflows.js FILE`): writes the workflow bundle that production workers load. */
import { writeWorkflowBundle } from '../worker/workflow-bundle';

const file = process.argv[2];
if (!file) {
  console.error('usage: bundle-workflows FILE');
  process.exit(2);
}
writeWorkflowBundle(file).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
